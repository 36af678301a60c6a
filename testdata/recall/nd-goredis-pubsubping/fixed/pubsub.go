// Recall case nd-goredis-pubsubping
// Source: github.com/redis/go-redis commit 1f0ea0e7edce610e0c32a136ded59f2c2a1f085e (pubsub.go)
// Link: https://github.com/redis/go-redis/pull/3819
// Bug: channel.initHealthCheck pings and reconnects with context.TODO(), so the health-check Ping (dial + write) and the reconnect that runs while holding pubSub.mu have no deadline and can hang forever on an unresponsive server, wedging the PubSub.
// Fix: each health-check Ping gets a fresh context.WithTimeout(context.Background(), c.pingTimeout) and the reconnect a context.WithTimeout(context.Background(), c.reconnectTimeout).
// Rule: nodeadline
package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

var ErrClosed = errors.New("redis: client is closed")

// --- minimal stand-ins for go-redis Options and internal/pool ---

type Options struct {
	Addr         string
	Dialer       func(ctx context.Context, network, addr string) (net.Conn, error)
	WriteTimeout time.Duration
}

type Conn struct {
	netConn net.Conn
	usable  bool
}

func (cn *Conn) IsUsable() bool { return cn.usable }

func (cn *Conn) Close() error { return cn.netConn.Close() }

var noDeadline = time.Time{}

func (cn *Conn) deadline(ctx context.Context, timeout time.Duration) time.Time {
	tm := time.Now()
	if timeout > 0 {
		tm = tm.Add(timeout)
	}
	if ctx != nil {
		deadline, ok := ctx.Deadline()
		if ok {
			if timeout == 0 {
				return deadline
			}
			if deadline.Before(tm) {
				return deadline
			}
			return tm
		}
	}
	if timeout > 0 {
		return tm
	}
	return noDeadline
}

func (cn *Conn) WithWriter(ctx context.Context, timeout time.Duration, fn func(wr *strings.Builder) error) error {
	if err := cn.netConn.SetWriteDeadline(cn.deadline(ctx, timeout)); err != nil {
		return err
	}
	var wr strings.Builder
	if err := fn(&wr); err != nil {
		return err
	}
	_, err := cn.netConn.Write([]byte(wr.String()))
	return err
}

type Cmd struct {
	ctx  context.Context
	args []interface{}
}

func NewCmd(ctx context.Context, args ...interface{}) *Cmd { return &Cmd{ctx: ctx, args: args} }

func writeCmd(wr *strings.Builder, cmd *Cmd) error {
	fmt.Fprintf(wr, "*%d\r\n", len(cmd.args))
	for _, a := range cmd.args {
		s := fmt.Sprint(a)
		fmt.Fprintf(wr, "$%d\r\n%s\r\n", len(s), s)
	}
	return nil
}

func isBadConn(err error, allowTimeout bool, addr string) bool {
	if err == nil {
		return false
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return !allowTimeout
	}
	return true
}

// --- pubsub.go (reduced) ---

type PubSub struct {
	opt *Options

	newConn   func(ctx context.Context, addr string, channels []string) (*Conn, error)
	closeConn func(*Conn) error

	mu       sync.Mutex
	cn       *Conn
	channels map[string]struct{}
	closed   bool
	exit     chan struct{}

	chOnce sync.Once
	allCh  *channel
}

func NewPubSub(opt *Options) *PubSub {
	if opt.Dialer == nil {
		netDialer := &net.Dialer{KeepAlive: 5 * time.Minute}
		opt.Dialer = netDialer.DialContext
	}
	c := &PubSub{
		opt:      opt,
		channels: make(map[string]struct{}),
		exit:     make(chan struct{}),
	}
	c.newConn = func(ctx context.Context, addr string, channels []string) (*Conn, error) {
		netConn, err := c.opt.Dialer(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		return &Conn{netConn: netConn, usable: true}, nil
	}
	c.closeConn = func(cn *Conn) error { return cn.Close() }
	return c
}

func (c *PubSub) conn(ctx context.Context, newChannels []string) (*Conn, error) {
	if c.closed {
		return nil, ErrClosed
	}
	if c.cn != nil {
		return c.cn, nil
	}

	channels := make([]string, 0, len(c.channels)+len(newChannels))
	for ch := range c.channels {
		channels = append(channels, ch)
	}
	channels = append(channels, newChannels...)

	cn, err := c.newConn(ctx, c.opt.Addr, channels)
	if err != nil {
		return nil, err
	}

	if err := c.resubscribe(ctx, cn); err != nil {
		_ = c.closeConn(cn)
		return nil, err
	}

	c.cn = cn
	return cn, nil
}

func (c *PubSub) writeCmd(ctx context.Context, cn *Conn, cmd *Cmd) error {
	return cn.WithWriter(ctx, c.opt.WriteTimeout, func(wr *strings.Builder) error {
		return writeCmd(wr, cmd)
	})
}

func (c *PubSub) resubscribe(ctx context.Context, cn *Conn) error {
	if len(c.channels) == 0 {
		return nil
	}
	args := []interface{}{"subscribe"}
	for ch := range c.channels {
		args = append(args, ch)
	}
	return c.writeCmd(ctx, cn, NewCmd(ctx, args...))
}

func (c *PubSub) releaseConn(ctx context.Context, cn *Conn, err error, allowTimeout bool) {
	if c.cn != cn {
		return
	}

	if !cn.IsUsable() {
		c.reconnect(ctx, fmt.Errorf("pubsub: connection is not usable"))
		return
	}

	if isBadConn(err, allowTimeout, c.opt.Addr) {
		c.reconnect(ctx, err)
	}
}

func (c *PubSub) reconnect(ctx context.Context, reason error) {
	_ = c.closeTheCn(reason)
	_, _ = c.conn(ctx, nil)
}

func (c *PubSub) closeTheCn(reason error) error {
	if c.cn == nil {
		return nil
	}
	err := c.closeConn(c.cn)
	c.cn = nil
	return err
}

func (c *PubSub) Ping(ctx context.Context, payload ...string) error {
	args := []interface{}{"ping"}
	if len(payload) == 1 {
		args = append(args, payload[0])
	}
	cmd := NewCmd(ctx, args...)

	c.mu.Lock()
	defer c.mu.Unlock()

	cn, err := c.conn(ctx, nil)
	if err != nil {
		return err
	}

	err = c.writeCmd(ctx, cn, cmd)
	c.releaseConn(ctx, cn, err, false)
	return err
}

// Channel returns a Go channel for concurrently receiving messages.
func (c *PubSub) Channel(opts ...ChannelOption) *channel {
	c.chOnce.Do(func() {
		c.allCh = newChannel(c, opts...)
	})
	return c.allCh
}

type ChannelOption func(c *channel)

// WithChannelHealthCheckInterval specifies the health check interval.
func WithChannelHealthCheckInterval(d time.Duration) ChannelOption {
	return func(c *channel) {
		c.checkInterval = d
	}
}

// WithChannelPingTimeout specifies the timeout for the health-check ping.
//
// The default is 5 seconds.
func WithChannelPingTimeout(d time.Duration) ChannelOption {
	return func(c *channel) {
		c.pingTimeout = d
	}
}

// WithChannelReconnectTimeout specifies the timeout for reconnecting after
// a failed health-check ping.
//
// The default is 10 seconds.
func WithChannelReconnectTimeout(d time.Duration) ChannelOption {
	return func(c *channel) {
		c.reconnectTimeout = d
	}
}

type channel struct {
	pubSub *PubSub

	ping chan struct{}

	chanSize         int
	chanSendTimeout  time.Duration
	checkInterval    time.Duration
	pingTimeout      time.Duration
	reconnectTimeout time.Duration
}

func newChannel(pubSub *PubSub, opts ...ChannelOption) *channel {
	c := &channel{
		pubSub: pubSub,

		chanSize:         100,
		chanSendTimeout:  time.Minute,
		checkInterval:    3 * time.Second,
		pingTimeout:      5 * time.Second,
		reconnectTimeout: 10 * time.Second,
	}
	for _, opt := range opts {
		opt(c)
	}
	if c.checkInterval > 0 {
		c.initHealthCheck()
	}
	return c
}

func (c *channel) initHealthCheck() {
	c.ping = make(chan struct{}, 1)

	go func() {
		timer := time.NewTimer(time.Minute)
		timer.Stop()

		for {
			timer.Reset(c.checkInterval)
			select {
			case <-c.ping:
				select {
				case <-timer.C:
				default:
				}
			case <-timer.C:
				ctx, cancel := context.WithTimeout(context.Background(), c.pingTimeout)
				pingErr := c.pubSub.Ping(ctx)
				cancel()

				if pingErr != nil {
					c.pubSub.mu.Lock()
					reconnectCtx, reconnectCancel := context.WithTimeout(context.Background(), c.reconnectTimeout)
					c.pubSub.reconnect(reconnectCtx, pingErr)
					reconnectCancel()
					c.pubSub.mu.Unlock()
				}
			case <-c.pubSub.exit:
				return
			}
		}
	}()
}
