// Recall case nd-dcrd-writedeadline
// Source: github.com/decred/dcrd commit f574dba607448f7383c512255b828d41a0112801 (peer/peer.go)
// Link: https://github.com/decred/dcrd/commit/f574dba607448f7383c512255b828d41a0112801
// Bug: writeMessage writes each wire message to the peer's net.Conn with no write deadline, so a remote peer that stops reading blocks outHandler forever (reads already have a deadline, writes do not).
// Fix: set a write deadline (base stall timeout plus a size-proportional allowance) on the conn before every message write.
// Rule: nodeadline
package peer

import (
	"bytes"
	"encoding/binary"
	"io"
	"log"
	"net"
	"sync/atomic"
	"time"
)

const (
	// defaultIdleTimeout is the duration of inactivity before we time out a
	// peer.
	defaultIdleTimeout = 120 * time.Second

	messageHeaderSize = 24
)

// Message is a stand-in for wire.Message.
type Message interface {
	Command() string
	Payload() []byte
}

// MsgPing is a stand-in for wire.MsgPing.
type MsgPing struct{ Nonce uint64 }

func (m *MsgPing) Command() string { return "ping" }
func (m *MsgPing) Payload() []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], m.Nonce)
	return b[:]
}

// writeMessageN is a stand-in for wire.WriteMessageN: it serializes the
// header and payload and writes them to w.
func writeMessageN(w io.Writer, msg Message) (int, error) {
	var buf bytes.Buffer
	var cmd [12]byte
	copy(cmd[:], msg.Command())
	payload := msg.Payload()
	buf.Write(cmd[:])
	_ = binary.Write(&buf, binary.LittleEndian, uint32(len(payload)))
	buf.Write(make([]byte, messageHeaderSize-12-4))
	buf.Write(payload)
	return w.Write(buf.Bytes())
}

// readMessageN is a stand-in for wire.ReadMessageN.
func readMessageN(r io.Reader) (int, []byte, error) {
	hdr := make([]byte, messageHeaderSize)
	n, err := io.ReadFull(r, hdr)
	if err != nil {
		return n, nil, err
	}
	l := binary.LittleEndian.Uint32(hdr[12:16])
	payload := make([]byte, l)
	m, err := io.ReadFull(r, payload)
	return n + m, payload, err
}

type Config struct {
	IdleTimeout time.Duration
}

type outMsg struct {
	msg      Message
	doneChan chan<- struct{}
}

// Peer provides a basic concurrent safe decred peer.
type Peer struct {
	bytesReceived uint64
	bytesSent     uint64
	lastSend      int64
	disconnect    int32

	conn  net.Conn
	cfg   Config
	nowFn func() time.Time

	sendQueue     chan outMsg
	sendDoneQueue chan struct{}
	quit          chan struct{}
}

// readMessage reads the next wire message from the peer with logging.
func (p *Peer) readMessage() ([]byte, error) {
	err := p.conn.SetReadDeadline(p.nowFn().Add(p.cfg.IdleTimeout))
	if err != nil {
		return nil, err
	}
	n, buf, err := readMessageN(p.conn)
	atomic.AddUint64(&p.bytesReceived, uint64(n))
	if err != nil {
		return nil, err
	}
	return buf, nil
}

// writeMessage sends a wire message to the peer with logging.
func (p *Peer) writeMessage(msg Message) error {
	// Don't do anything if we're disconnecting.
	if atomic.LoadInt32(&p.disconnect) != 0 {
		return nil
	}

	log.Printf("Sending %v to %s", msg.Command(), p.conn.RemoteAddr())

	// Write the message to the peer.
	n, err := writeMessageN(p.conn, msg)
	atomic.AddUint64(&p.bytesSent, uint64(n))
	return err
}

// Disconnect disconnects the peer by closing the connection.
func (p *Peer) Disconnect() {
	if atomic.AddInt32(&p.disconnect, 1) != 1 {
		return
	}
	p.conn.Close()
	close(p.quit)
}

// SendPing queues a ping message.
func (p *Peer) SendPing() {
	p.QueueMessage(&MsgPing{Nonce: uint64(p.nowFn().UnixNano())}, nil)
}

// QueueMessage adds the passed message to the peer send queue.
func (p *Peer) QueueMessage(msg Message, doneChan chan<- struct{}) {
	select {
	case p.sendQueue <- outMsg{msg: msg, doneChan: doneChan}:
	case <-p.quit:
	}
}

// outHandler handles all outgoing messages for the peer.  It must be run as a
// goroutine.
func (p *Peer) outHandler() {
out:
	for {
		select {
		case msg := <-p.sendQueue:
			if err := p.writeMessage(msg.msg); err != nil {
				p.Disconnect()
				log.Printf("Failed to send message to %s: %v",
					p.conn.RemoteAddr(), err)
				if msg.doneChan != nil {
					msg.doneChan <- struct{}{}
				}
				continue
			}

			atomic.StoreInt64(&p.lastSend, p.nowFn().Unix())
			if msg.doneChan != nil {
				msg.doneChan <- struct{}{}
			}
			select {
			case p.sendDoneQueue <- struct{}{}:
			default:
			}

		case <-p.quit:
			break out
		}
	}
}

// NewOutboundPeer returns a new outbound peer using the given connection.
func NewOutboundPeer(conn net.Conn) *Peer {
	p := &Peer{
		conn:          conn,
		cfg:           Config{IdleTimeout: defaultIdleTimeout},
		nowFn:         time.Now,
		sendQueue:     make(chan outMsg, 1),
		sendDoneQueue: make(chan struct{}, 1),
		quit:          make(chan struct{}),
	}
	go p.outHandler()
	return p
}
