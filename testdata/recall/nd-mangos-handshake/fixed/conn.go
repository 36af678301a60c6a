// Recall case nd-mangos-handshake
// Source: github.com/nanomsg/mangos commit 92a9fe83601a2890411c34aeb77b249adf7c7af1 (transport/conn.go)
// Link: https://github.com/nanomsg/mangos/commit/92a9fe83601a2890411c34aeb77b249adf7c7af1
// Bug: the SP handshake writes its header and then does binary.Read on the net.Conn with no deadline, so a peer that accepts the TCP connection but never sends its header blocks the handshake worker forever (and Dialer.Close cannot abort it).
// Fix: set a 5s deadline on the conn for the duration of the handshake (SetDeadline before, reset to zero after).
// Rule: nodeadline
package transport

import (
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"time"
)

var (
	ErrClosed     = errors.New("object closed")
	ErrBadHeader  = errors.New("invalid header received")
	ErrBadVersion = errors.New("invalid protocol version")
	ErrBadProto   = errors.New("invalid or incompatible protocol")
)

// ProtocolInfo is a description of the protocol.
type ProtocolInfo struct {
	Self     uint16
	Peer     uint16
	SelfName string
	PeerName string
}

// Pipe is the transport pipe.
type Pipe interface {
	Close() error
}

// Handshaker is used to support completion of asynchronous handshakes.
type Handshaker interface {
	Start(Pipe)
	Wait() (Pipe, error)
	Close()
}

// conn implements the Pipe interface on top of net.Conn.
type conn struct {
	c     net.Conn
	proto ProtocolInfo
	open  bool
	sync.Mutex
}

// Close implements the Pipe Close method.
func (p *conn) Close() error {
	p.Lock()
	defer p.Unlock()
	if p.open {
		p.open = false
		return p.c.Close()
	}
	return nil
}

// NewConnPipe allocates a new Pipe using the supplied net.Conn.  It performs
// no negotiation -- use a Handshaker to arrange for that.
func NewConnPipe(c net.Conn, proto ProtocolInfo) Pipe {
	return &conn{
		c:     c,
		proto: proto,
	}
}

// connHeader is exchanged during the initial handshake.
type connHeader struct {
	Zero     byte // must be zero
	S        byte // 'S'
	P        byte // 'P'
	Version  byte // only zero at present
	Proto    uint16
	Reserved uint16 // always zero at present
}

// handshake establishes an SP connection between peers.  Both sides must
// send the header, then both sides must wait for the peer's header.
func (p *conn) handshake() error {

	// The dial may have worked but that does not guarantee the
	// server is going to send us any data.
	// No/partial data will cause binary.Read to block indefinitely
	// if the socket remains open.
	p.c.SetDeadline(time.Now().Add(5 * time.Second))
	defer p.c.SetDeadline(time.Time{})

	var err error

	h := connHeader{S: 'S', P: 'P', Proto: p.proto.Self}
	if err = binary.Write(p.c, binary.BigEndian, &h); err != nil {
		return err
	}
	if err = binary.Read(p.c, binary.BigEndian, &h); err != nil {
		_ = p.c.Close()
		return err
	}
	if h.Zero != 0 || h.S != 'S' || h.P != 'P' || h.Reserved != 0 {
		_ = p.c.Close()
		return ErrBadHeader
	}
	if h.Version != 0 {
		_ = p.c.Close()
		return ErrBadVersion
	}
	if h.Proto != p.proto.Peer {
		_ = p.c.Close()
		return ErrBadProto
	}
	p.open = true
	return nil
}

type connHandshakerPipe interface {
	handshake() error

	Pipe
}

type connHandshakerItem struct {
	c connHandshakerPipe
	e error
}

type connHandshaker struct {
	workq  map[connHandshakerPipe]bool
	doneq  []*connHandshakerItem
	closed bool
	cv     *sync.Cond
	sync.Mutex
}

// NewConnHandshaker returns a Handshaker that works with Pipes created via
// NewConnPipe.
func NewConnHandshaker() Handshaker {
	h := &connHandshaker{
		workq: make(map[connHandshakerPipe]bool),
	}
	h.cv = sync.NewCond(h)
	return h
}

func (h *connHandshaker) Wait() (Pipe, error) {
	h.Lock()
	defer h.Unlock()
	for len(h.doneq) == 0 && !h.closed {
		h.cv.Wait()
	}
	if h.closed {
		return nil, ErrClosed
	}
	item := h.doneq[0]
	h.doneq = h.doneq[1:]
	return item.c, item.e
}

func (h *connHandshaker) Start(p Pipe) {
	conn := p.(connHandshakerPipe)
	h.Lock()
	h.workq[conn] = true
	h.Unlock()
	go h.worker(conn)
}

func (h *connHandshaker) Close() {
	h.Lock()
	h.closed = true
	h.cv.Broadcast()
	for conn := range h.workq {
		_ = conn.Close()
	}
	for len(h.doneq) != 0 {
		item := h.doneq[0]
		h.doneq = h.doneq[1:]
		if item.c != nil {
			_ = item.c.Close()
		}
	}
	h.Unlock()
}

func (h *connHandshaker) worker(conn connHandshakerPipe) {
	item := &connHandshakerItem{c: conn}
	item.e = conn.handshake()
	h.Lock()
	defer h.Unlock()

	delete(h.workq, conn)

	if item.e != nil {
		_ = item.c.Close()
		item.c = nil
	} else if h.closed {
		item.e = ErrClosed
		_ = item.c.Close()
	}
	h.doneq = append(h.doneq, item)
	h.cv.Broadcast()
}

// startPipe mirrors the tcp transport's dialer after the connection was
// established: the pipe is handed to the handshaker and the caller waits for
// the handshake result.
func startPipe(hs Handshaker, c net.Conn, proto ProtocolInfo) (Pipe, error) {
	hs.Start(NewConnPipe(c, proto))
	return hs.Wait()
}
