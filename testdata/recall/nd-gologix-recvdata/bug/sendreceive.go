// Recall case nd-gologix-recvdata
// Source: github.com/danomagnum/gologix commit a43b18adde8ebf63f601dd047f49d23c5e086ab0 (sendreceive.go)
// Link: https://github.com/danomagnum/gologix/commit/a43b18adde8ebf63f601dd047f49d23c5e086ab0
// Bug: Client.send writes and Client.recv_data reads the EtherNet/IP header and payload on client.conn (net.Conn struct field) with no write/read deadline, so a PLC that accepts the TCP connection but never answers blocks send_recv_data (holding the client mutex) forever.
// Fix: Call client.conn.SetWriteDeadline / SetReadDeadline(time.Now().Add(client.SocketTimeout)) before each write and before reading the header and the payload.
// Rule: nodeadline
package gologix

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"net"
	"sync"
	"time"
)

type CIPCommand uint16

const cipCommandRegisterSession CIPCommand = 0x65

type Client struct {
	IPAddress     string
	Port          string
	SocketTimeout time.Duration

	mutex                 sync.Mutex
	conn                  net.Conn
	SessionHandle         uint32
	HeaderSequenceCounter uint16
	Connected             bool
	Context               uint64
	cancel_keepalive      chan struct{}
}

type EIPHeader struct {
	Command       CIPCommand
	Length        uint16
	SessionHandle uint32
	Status        uint32
	Context       uint64 // 8 bytes you can do whatever you want with. They'll be echoed back.
	Options       uint32
}

type msgCIPRegister struct {
	ProtocolVersion uint16
	OptionFlag      uint16
}

// To connect we first send a register session command.
func (client *Client) connect() error {
	if client.Connected {
		return nil
	}
	var err error
	client.conn, err = net.DialTimeout("tcp", client.IPAddress+client.Port, client.SocketTimeout)
	if err != nil {
		return err
	}
	client.Connected = true
	client.cancel_keepalive = make(chan struct{})
	return client.register_session()
}

func (client *Client) register_session() error {
	reg_msg := msgCIPRegister{ProtocolVersion: 1}
	resp_hdr, _, err := client.send_recv_data(cipCommandRegisterSession, reg_msg)
	if err != nil {
		return fmt.Errorf("couldn't get connect response %w", err)
	}
	client.SessionHandle = resp_hdr.SessionHandle
	log.Printf("Session Handle %v", client.SessionHandle)
	return nil
}

// module internal disconnect that closes the connection and cancels the watchdog/keepalive
func (client *Client) disconnect() error {
	if !client.Connected {
		return errors.New("already disconnected")
	}
	client.Connected = false
	close(client.cancel_keepalive)
	err := client.conn.Close()
	if err != nil {
		err = fmt.Errorf("error closing connection: %w", err)
	}
	return err
}

// send takes the command followed by all the structures that need
// concatenated together.
func (client *Client) send(cmd CIPCommand, msgs ...any) error {
	size := 0
	for _, msg := range msgs {
		size += binary.Size(msg)
	}
	hdr := client.newEIPHeader(cmd, size)

	b := make([]byte, 0, size+24)
	buf := bytes.NewBuffer(b)
	err := binary.Write(buf, binary.LittleEndian, hdr)
	if err != nil {
		return fmt.Errorf("problem writing header to buffer. %w", err)
	}
	for _, msg := range msgs {
		err = binary.Write(buf, binary.LittleEndian, msg)
		if err != nil {
			return fmt.Errorf("problem writing msg to buffer. %w", err)
		}
	}

	b = buf.Bytes()
	// write the packet buffer to the tcp connection
	written := 0
	for written < len(b) {
		n, err := client.conn.Write(b[written:])
		if err != nil {
			err2 := client.disconnect()
			return fmt.Errorf("%w: %v", err, err2)
		}
		written += n
	}
	return nil
}

// sends one message and gets one response in a mutex-protected way.
func (client *Client) send_recv_data(cmd CIPCommand, msgs ...any) (EIPHeader, *bytes.Buffer, error) {
	client.mutex.Lock()
	defer client.mutex.Unlock()
	err := client.send(cmd, msgs...)
	if err != nil {
		return EIPHeader{}, nil, err
	}
	return client.recv_data()
}

// recv_data reads the header and then the number of words it specifies.
func (client *Client) recv_data() (EIPHeader, *bytes.Buffer, error) {
	hdr := EIPHeader{}
	var err error
	err = binary.Read(client.conn, binary.LittleEndian, &hdr)
	if err != nil {
		err2 := client.disconnect()
		return hdr, nil, fmt.Errorf("problem reading header from socket: %w: %v", err, err2)
	}
	data_size := hdr.Length
	data := make([]byte, data_size)
	if data_size > 0 {
		err = binary.Read(client.conn, binary.LittleEndian, &data)
		if err != nil {
			err2 := client.disconnect()
			return hdr, nil, fmt.Errorf("problem reading socket payload: %w: %v", err, err2)
		}
	}
	buf := bytes.NewBuffer(data)
	return hdr, buf, err
}

func (client *Client) newEIPHeader(cmd CIPCommand, size int) (hdr EIPHeader) {
	client.HeaderSequenceCounter++
	hdr.Command = cmd
	hdr.Length = uint16(size)
	hdr.SessionHandle = client.SessionHandle
	hdr.Context = client.Context
	return
}
