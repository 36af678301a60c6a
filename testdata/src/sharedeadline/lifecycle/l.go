// Package lifecycle: helpers that take no context and wait under the
// context their object keeps, called where a caller's context is in scope.
package lifecycle

import (
	"context"
	"net"
	"net/http"
	"time"
)

type consensus struct {
	ctx    context.Context
	cancel context.CancelFunc
	hc     *http.Client
	conn   net.Conn
	url    string
}

func newConsensus() *consensus {
	ctx, cancel := context.WithCancel(context.Background())
	return &consensus{ctx: ctx, cancel: cancel, hc: &http.Client{Timeout: time.Minute}}
}

func (c *consensus) call(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// redirectToLeader waits under the object's context (ipfs-cluster).
func (c *consensus) redirectToLeader() error {
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	return c.call(ctx)
}

func (c *consensus) AddPeer(ctx context.Context) error {
	return c.redirectToLeader() // want `\(\*lifecycle.consensus\).redirectToLeader takes no context and waits under its object's own context \(field ctx: \(\*http.Client\).Do\), so ctx's deadline and cancellation stop at this call; give it a context parameter and pass ctx`
}

// Fixed: the helper takes the caller's context.
func (c *consensus) redirectToLeaderCtx(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.call(ctx)
}

func (c *consensus) RmPeer(ctx context.Context) error {
	return c.redirectToLeaderCtx(ctx)
}

// A connection dialed under the object's context outlives the request that
// needed it: meant.
func (c *consensus) ensureConn() error {
	if c.conn != nil {
		return nil
	}
	conn, err := (&net.Dialer{}).DialContext(c.ctx, "tcp", c.url)
	if err != nil {
		return err
	}
	c.conn = conn
	return nil
}

func (c *consensus) Send(ctx context.Context, b []byte) error {
	if err := c.ensureConn(); err != nil {
		return err
	}
	_, err := c.conn.Write(b)
	return err
}

// No caller's context in scope: the object's is the only one.
func (c *consensus) loop() {
	for c.ctx.Err() == nil {
		_ = c.redirectToLeader()
	}
}

// Run in a goroutine: detached on purpose.
func (c *consensus) Kick(ctx context.Context) {
	go c.redirectToLeader()
}

// A batch keeps the context it was opened with: the caller's, not a
// lifecycle of its own (clickhouse-go's batch.closeQuery).
type batch struct {
	ctx context.Context
	c   *consensus
}

func (c *consensus) prepare(ctx context.Context) *batch {
	b := &batch{ctx: ctx, c: c}
	b.flush()
	return b
}

func (b *batch) flush() error { return b.c.call(b.ctx) }
