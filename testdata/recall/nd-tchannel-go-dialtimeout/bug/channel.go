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
	"sync"
)

// ChannelState is the state of a channel.
type ChannelState int

const (
	ChannelClient ChannelState = iota + 1
	ChannelListening
	ChannelStartClose
	ChannelInboundClosed
	ChannelClosed
)

var errInvalidStateForOp = errors.New("channel: invalid state for operation")

// Channel is a stripped-down tchannel Channel.
type Channel struct {
	mutable struct {
		sync.RWMutex
		state ChannelState
		conns map[uint32]*Connection
	}
}

// NewChannel returns a client channel.
func NewChannel() *Channel {
	ch := &Channel{}
	ch.mutable.state = ChannelClient
	ch.mutable.conns = make(map[uint32]*Connection)
	return ch
}

// State returns the current channel state.
func (ch *Channel) State() ChannelState {
	ch.mutable.RLock()
	defer ch.mutable.RUnlock()
	return ch.mutable.state
}

func (ch *Channel) connectionCloseStateChange(c *Connection) {}
func (ch *Channel) exchangeUpdated(c *Connection)            {}

// Connect connects the channel.
func (ch *Channel) Connect(ctx context.Context, hostPort string) (*Connection, error) {
	switch state := ch.State(); state {
	case ChannelClient, ChannelListening:
		break
	case ChannelStartClose:
		// We still allow outgoing connections during Close, but the connection has to immediately
		// be Closed after opening
	default:
		return nil, errInvalidStateForOp
	}

	events := connectionEvents{
		OnCloseStateChange: ch.connectionCloseStateChange,
		OnExchangeUpdated:  ch.exchangeUpdated,
	}
	c, err := ch.newOutboundConnection(hostPort, events)
	if err != nil {
		return nil, err
	}

	if err := c.sendInit(ctx); err != nil {
		return nil, err
	}

	ch.mutable.Lock()
	ch.mutable.conns[c.connID] = c
	chState := ch.mutable.state
	ch.mutable.Unlock()

	// Any connections added after the channel is in StartClose should also be set to start close.
	if chState == ChannelStartClose {
		c.withStateLock(func() error {
			c.state = connectionStartClose
			return nil
		})
	}

	return c, err
}
