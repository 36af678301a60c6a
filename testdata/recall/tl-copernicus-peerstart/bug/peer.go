// Recall case tl-copernicus-peerstart
// Source: github.com/copernet/copernicus commit 11ee456fcce230d97100599fabb5a8dd87c49928 (peer/peer.go)
// Link: https://github.com/copernet/copernicus/commit/11ee456fcce230d97100599fabb5a8dd87c49928
// Bug: Peer.start runs the version negotiation in a goroutine that sends its result on the unbuffered negotiateErr channel, but start returns early when time.After(negotiateTimeout) fires, so a slow negotiation leaves that goroutine blocked on the send forever.
// Fix: negotiateErr is created buffered: make(chan error, 1).
// Rule: timeoutleak
package peer

import (
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net"
	"sync/atomic"
	"time"
)

const (
	// negotiateTimeout is the duration of inactivity before we timeout a
	// peer that hasn't completed the initial version negotiation.
	negotiateTimeout = 30 * time.Second

	cmdVersion = "version"
	cmdVerAck  = "verack"
	cmdReject  = "reject"
)

// message is a stand-in for wire.Message.
type message struct {
	command string
	payload []byte
}

// PeerMessage carries a message received by a peer to the server.
type PeerMessage struct {
	Peer *Peer
	Msg  *message
}

// Peer provides a basic concurrent safe bitcoin peer.
type Peer struct {
	conn      net.Conn
	inbound   bool
	connected int32
	quit      chan struct{}
	outQueue  chan *message
}

// Addr returns the peer address.
func (p *Peer) Addr() string { return p.conn.RemoteAddr().String() }

func (p *Peer) readMessage() (*message, error) {
	var hdr [16]byte
	if _, err := io.ReadFull(p.conn, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(hdr[12:16])
	payload := make([]byte, n)
	if _, err := io.ReadFull(p.conn, payload); err != nil {
		return nil, err
	}
	cmd := string(hdr[:12])
	for i := 0; i < len(cmd); i++ {
		if cmd[i] == 0 {
			cmd = cmd[:i]
			break
		}
	}
	return &message{command: cmd, payload: payload}, nil
}

func (p *Peer) writeMessage(msg *message) error {
	var hdr [16]byte
	copy(hdr[:12], msg.command)
	binary.LittleEndian.PutUint32(hdr[12:16], uint32(len(msg.payload)))
	if _, err := p.conn.Write(hdr[:]); err != nil {
		return err
	}
	_, err := p.conn.Write(msg.payload)
	return err
}

// Disconnect disconnects the peer by closing the connection.
func (p *Peer) Disconnect() {
	if atomic.LoadInt32(&p.connected) != 0 {
		p.conn.Close()
	}
	close(p.quit)
}

func (p *Peer) inHandler(phCh chan<- *PeerMessage) {
	for {
		msg, err := p.readMessage()
		if err != nil {
			p.Disconnect()
			return
		}
		select {
		case phCh <- &PeerMessage{Peer: p, Msg: msg}:
		case <-p.quit:
			return
		}
	}
}

func (p *Peer) outHandler() {
	for {
		select {
		case msg := <-p.outQueue:
			if err := p.writeMessage(msg); err != nil {
				p.Disconnect()
				return
			}
		case <-p.quit:
			return
		}
	}
}

// QueueMessage adds the passed message to the peer send queue.
func (p *Peer) QueueMessage(msg *message, doneChan chan<- struct{}) {
	select {
	case p.outQueue <- msg:
	case <-p.quit:
	}
	if doneChan != nil {
		doneChan <- struct{}{}
	}
}

// start begins processing input and output messages.
func (p *Peer) start(phCh chan<- *PeerMessage) error {
	log.Printf("Starting peer %s", p.Addr())

	negotiateErr := make(chan error)
	go func() {
		if p.inbound {
			negotiateErr <- p.negotiateInboundProtocol()
		} else {
			log.Printf("outbound peer :  %v", p.conn.RemoteAddr())
			negotiateErr <- p.negotiateOutboundProtocol()
		}
	}()

	// Negotiate the protocol within the specified negotiateTimeout.
	select {
	case err := <-negotiateErr:
		if err != nil {
			return err
		}
	case <-time.After(negotiateTimeout):
		return errors.New("protocol negotiation timeout")
	}
	log.Printf("Connected to %s", p.Addr())

	// The protocol has been negotiated successfully so start processing input
	// and output messages.
	go p.inHandler(phCh)
	go p.outHandler()

	// Send our verack message now that the IO processing machinery has started.
	p.QueueMessage(&message{command: cmdVerAck}, nil)

	return nil
}

// readRemoteVersionMsg waits for the next message to arrive from the remote
// peer.  If the next message is not a version message or the version is not
// acceptable then return an error.
func (p *Peer) readRemoteVersionMsg() error {
	// Read their version message.
	msg, err := p.readMessage()
	if err != nil {
		return err
	}

	if msg.command != cmdVersion {
		errStr := "A version message must precede all others"
		log.Print(errStr)

		rejectMsg := &message{command: cmdReject, payload: []byte(errStr)}
		return p.writeMessage(rejectMsg)
	}
	return nil
}

// writeLocalVersionMsg writes our version message to the remote peer.
func (p *Peer) writeLocalVersionMsg() error {
	return p.writeMessage(&message{command: cmdVersion, payload: []byte{0x7f, 0x11, 0x01, 0x00}})
}

// negotiateInboundProtocol waits to receive a version message from the peer
// then sends our version message. If the events do not occur in that order then
// it returns an error.
func (p *Peer) negotiateInboundProtocol() error {
	if err := p.readRemoteVersionMsg(); err != nil {
		return err
	}

	return p.writeLocalVersionMsg()
}

// negotiateOutboundProtocol sends our version message then waits to receive a
// version message from the peer.  If the events do not occur in that order then
// it returns an error.
func (p *Peer) negotiateOutboundProtocol() error {
	if err := p.writeLocalVersionMsg(); err != nil {
		return err
	}

	return p.readRemoteVersionMsg()
}
