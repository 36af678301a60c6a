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
