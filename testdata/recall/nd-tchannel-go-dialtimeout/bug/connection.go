// Recall case nd-tchannel-go-dialtimeout
// Source: github.com/uber/tchannel-go commit a3d1081f48dc29ac98ba5c3ee78e2e9dd099892b (connection.go, channel.go)
// Link: https://github.com/uber/tchannel-go/commit/a3d1081f48dc29ac98ba5c3ee78e2e9dd099892b
// Bug: Channel.Connect receives a ctx with a deadline but newOutboundConnection dials with net.Dial, which has no timeout, so connecting to an unreachable peer hangs regardless of the caller deadline.
// Fix: Connect computes a timeout from ctx.Deadline() (default 5s) and newOutboundConnection uses net.DialTimeout with it.
// Rule: nodeadline
package tchannel

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// ErrTimeout is returned when an operation times out.
var ErrTimeout = errors.New("tchannel: timeout")

type connectionState int

const (
	connectionWaitingToSendInitReq connectionState = iota + 1
	connectionWaitingToRecvInitReq
	connectionActive
	connectionStartClose
	connectionClosed
)

type connectionEvents struct {
	OnCloseStateChange func(*Connection)
	OnExchangeUpdated  func(*Connection)
}

// Connection is a stripped-down tchannel Connection over a net.Conn.
type Connection struct {
	connID   uint32
	conn     net.Conn
	events   connectionEvents
	stateMut sync.RWMutex
	state    connectionState
}

var nextConnID uint32

// Creates a new Connection around an outbound connection initiated to a peer
func (ch *Channel) newOutboundConnection(hostPort string, events connectionEvents) (*Connection, error) {
	conn, err := net.Dial("tcp", hostPort)
	if err != nil {
		return nil, err
	}

	return ch.newConnection(conn, connectionWaitingToSendInitReq, events), nil
}

// Creates a new connection in a given initial state
func (ch *Channel) newConnection(conn net.Conn, initialState connectionState, events connectionEvents) *Connection {
	return &Connection{
		connID: atomic.AddUint32(&nextConnID, 1),
		conn:   conn,
		events: events,
		state:  initialState,
	}
}

func (c *Connection) withStateLock(f func() error) error {
	c.stateMut.Lock()
	defer c.stateMut.Unlock()
	return f()
}

// sendInit sends an init request frame and waits for the init response,
// bounded by the ctx deadline.
func (c *Connection) sendInit(ctx context.Context) error {
	if deadline, ok := ctx.Deadline(); ok {
		c.conn.SetDeadline(deadline)
	}
	if _, err := c.conn.Write([]byte{0x00, 0x10, 0x01, 0x00}); err != nil {
		return err
	}
	resp := make([]byte, 16)
	if _, err := io.ReadFull(c.conn, resp); err != nil {
		if ctx.Err() != nil {
			return ErrTimeout
		}
		return err
	}
	return c.withStateLock(func() error {
		c.state = connectionActive
		return nil
	})
}
