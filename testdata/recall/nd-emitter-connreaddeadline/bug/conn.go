// Recall case nd-emitter-connreaddeadline
// Source: github.com/emitter-io/emitter commit f7f182579d029826dd6868a81b022ded677d3da1 (broker/conn.go)
// Link: https://github.com/emitter-io/emitter/commit/f7f182579d029826dd6868a81b022ded677d3da1
// Bug: Conn.Process (started by Service.onAcceptConn) loops on DecodePacket reading the client net.Conn with no read deadline, so a silent or dead client pins the goroutine and socket forever
// Fix: each loop iteration calls c.socket.SetDeadline(time.Now().Add(60s)) before decoding the next packet
// Rule: nodeadline
package broker

import (
	"bufio"
	"log"
	"net"
	"sync"
	"sync/atomic"
)

// Service is reduced to what the connection handling needs.
type Service struct {
	connections int64 // The number of currently open connections.
}

// Conn represents an incoming connection.
type Conn struct {
	sync.Mutex
	socket   net.Conn // The transport used to read and write messages.
	username string   // The username provided by the client during MQTT connect.
	service  *Service // The service for this connection.
}

// NewConn creates a new connection.
func (s *Service) newConn(t net.Conn) *Conn {
	c := &Conn{
		service: s,
		socket:  t,
	}

	// Increment the connection counter
	atomic.AddInt64(&s.connections, 1)
	return c
}

// Occurs when a new client connection is accepted.
func (s *Service) onAcceptConn(t net.Conn) {
	conn := s.newConn(t)
	go conn.Process()
}

// Process processes the messages.
func (c *Conn) Process() error {
	defer c.Close()
	reader := bufio.NewReaderSize(c.socket, 65536)

	for {
		// Decode an incoming MQTT packet
		msg, err := DecodePacket(reader)
		if err != nil {
			return err
		}

		switch msg.Type() {

		// We got an attempt to connect to MQTT.
		case TypeOfConnect:
			packet := msg.(*Connect)
			c.username = string(packet.Username)

			// Write the ack
			ack := Connack{ReturnCode: 0x00}
			if _, err := ack.EncodeTo(c.socket); err != nil {
				return err
			}

		// We got an MQTT ping response, respond appropriately.
		case TypeOfPingreq:
			ack := Pingresp{}
			if _, err := ack.EncodeTo(c.socket); err != nil {
				return err
			}

		case TypeOfDisconnect:
			return nil

		case TypeOfPublish:
			packet := msg.(*Publish)
			log.Printf("conn: publish received on %q (%d bytes)", packet.Topic, len(packet.Payload))
		}
	}
}

// Close terminates the connection.
func (c *Conn) Close() error {
	atomic.AddInt64(&c.service.connections, -1)
	return c.socket.Close()
}
