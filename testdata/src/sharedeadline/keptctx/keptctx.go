// Package keptctx holds methods that receive no context while their
// receiver keeps the one it lives by.
package keptctx

import (
	"context"
	"net/http"
	"time"
)

type channel struct{ hc *http.Client }

func (c *channel) send(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// connectionManager keeps the context of one connection: Disconnect
// cancels it (mysterium's connection manager).
type connectionManager struct {
	ctx    context.Context
	cancel context.CancelFunc
	ch     *channel
}

func (m *connectionManager) Connect(url string) error {
	m.ctx, m.cancel = context.WithCancel(context.Background())
	return m.createSession(url)
}

// The session's request outlives Disconnect.
func (m *connectionManager) createSession(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // want `context.WithTimeout\(context.Background\(\), …\) starts a fresh 20s budget while m keeps the context it lives by, m.ctx: the wait goes on after m is stopped; derive it from m.ctx`
	defer cancel()
	return m.ch.send(ctx, url)
}

// Fixed: derived from the kept context.
func (m *connectionManager) createSessionFixed(url string) error {
	ctx, cancel := context.WithTimeout(m.ctx, 20*time.Second)
	defer cancel()
	return m.ch.send(ctx, url)
}

// A Stop method cancels the kept context and must not use it.
func (m *connectionManager) Disconnect(url string) error {
	m.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return m.ch.send(ctx, url+"/bye")
}

// A method that reads the kept context chose not to use it here.
func (m *connectionManager) status(url string) error {
	if m.ctx.Err() != nil {
		return m.ctx.Err()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return m.ch.send(ctx, url)
}

// A kept context that is only ever Background ends never: nothing to
// derive from.
type poller struct {
	ctx context.Context
	ch  *channel
}

func newPoller(ch *channel) *poller { return &poller{ctx: context.Background(), ch: ch} }

func (p *poller) poll(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.ch.send(ctx, url)
}

// A wait for a condition: a poll that pauses on a ticker until the leader
// is known, which only its context can cut short (swarmkit's
// Node.LeaderAddr waited ten seconds for the leader of a stopped node).
type raftNode struct {
	Ctx    context.Context
	cancel func()
	lead   uint64
}

func newRaftNode(ctx context.Context) *raftNode {
	n := &raftNode{}
	n.Ctx, n.cancel = context.WithCancel(ctx)
	return n
}

func waitForLeader(ctx context.Context, n *raftNode) error {
	ticker := time.NewTicker(50 * time.Millisecond)
	defer ticker.Stop()
	for n.lead == 0 {
		select {
		case <-ticker.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (n *raftNode) LeaderAddr() (uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // want `context.WithTimeout\(context.Background\(\), …\) starts a fresh 10s budget while n keeps the context it lives by, n.Ctx: the wait goes on after n is stopped; derive it from n.Ctx`
	defer cancel()
	if err := waitForLeader(ctx, n); err != nil {
		return 0, err
	}
	return n.lead, nil
}

// A loop paced by a ticker that never ends with a nil error serves until
// its context ends: a lifetime, no wait for a condition, so the budget
// given to it is the method's choice.
func heartbeat(ctx context.Context, n *raftNode) error {
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			n.lead++
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (n *raftNode) beatFor() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return heartbeat(ctx, n)
}
