// Recall case nd-mochi-connect
// Source: github.com/mochi-mqtt/server commit 80f76c93e62eb50f3cfc4a25ffa7b5249cb130c4 (internal/clients/clients.go, mqtt.go)
// Link: https://github.com/mochi-mqtt/server/commit/80f76c93e62eb50f3cfc4a25ffa7b5249cb130c4
// Bug: Server.EstablishConnection reads the CONNECT fixed header/packet via Client.ReadFixedHeader before any deadline is set on the accepted net.Conn (NewClient sets none; refreshDeadline only runs inside Client.Read), so a peer that connects and sends nothing pins the goroutine and socket forever
// Fix: NewClient calls cl.refreshDeadline(cl.keepalive) (default keepalive) so the CONNECT read is bounded; Identify refreshes it with the negotiated keepalive (0 disables)
// Rule: nodeadline
package mqtt

import (
	"errors"
	"net"
	"sync/atomic"
)

var ErrReadConnectInvalid = errors.New("connect packet was not encoded correctly")

// EstablishFunc is a callback function for establishing new clients.
type EstablishFunc func(id string, c net.Conn) error

// TCP is the reduced internal/listeners.TCP listener.
type TCP struct {
	id     string
	listen net.Listener
	end    int64
}

func NewTCP(id string, listen net.Listener) *TCP {
	return &TCP{id: id, listen: listen}
}

// Serve waits for new connections and hands each one to establish.
func (l *TCP) Serve(establish EstablishFunc) {
	for {
		if atomic.LoadInt64(&l.end) == 1 {
			return
		}

		conn, err := l.listen.Accept()
		if err != nil {
			return
		}

		if atomic.LoadInt64(&l.end) == 0 {
			go establish(l.id, conn)
		}
	}
}

// Server is the reduced MQTT broker.
type Server struct{}

// EstablishConnection establishes a new client connection with the broker.
func (s *Server) EstablishConnection(lid string, c net.Conn) error {
	cl := NewClient(c, NewReader(c))

	fh := new(FixedHeader)
	err := cl.ReadFixedHeader(fh)
	if err != nil {
		return err
	}

	pk, err := cl.ReadPacket(fh)
	if err != nil {
		return err
	}

	if pk.FixedHeader.Type != Connect {
		return ErrReadConnectInvalid
	}

	cl.Identify(lid, pk)

	err = cl.Read(s.processPacket)
	if err != nil {
		s.closeClient(cl)
	}

	return err
}

// closeClient is reduced to closing the client connection.
func (s *Server) closeClient(cl *Client) {
	cl.Stop()
}

// processPacket is reduced: inbound packets are accepted and ignored.
func (s *Server) processPacket(cl *Client, pk Packet) error {
	return nil
}
