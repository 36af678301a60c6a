// Package keptcancel: an object keeps a context with no deadline and its
// cancel function; a wait given that context in the one function that
// cancels it, before the cancel, is ended by nothing (go-sdk's Close).
package keptcancel

import (
	"context"
	"net/http"
	"sync"
	"time"
)

type conn struct {
	url    string
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
}

func connect(ctx context.Context, url string) *conn {
	connCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &conn{url: url, client: &http.Client{}, ctx: connCtx, cancel: cancel}
}

// Close deletes the session, then cancels: a silent peer hangs Close.
func (c *conn) Close() error {
	var err error
	c.once.Do(func() {
		req, rerr := http.NewRequestWithContext(c.ctx, http.MethodDelete, c.url, nil)
		if rerr != nil {
			err = rerr
		} else if resp, derr := c.client.Do(req); derr != nil { // want `c.ctx reaches \(\*http.Client\).Do with no deadline, and the only cancel of that kept context runs after this wait returns \(line 38\)`
			err = derr
		} else {
			resp.Body.Close()
		}
		c.cancel()
	})
	return err
}

// A worker whose kept context only its own deferred cancel ends: nothing
// ends the waits of its loop.
type poller struct {
	client *http.Client
	ctx    context.Context
	cancel func()
}

func newPoller() *poller {
	ctx, cancel := context.WithCancel(context.Background())
	return &poller{client: &http.Client{}, ctx: ctx, cancel: cancel}
}

func (p *poller) run(url string) {
	defer p.cancel()
	for range 3 {
		p.fetch(p.ctx, url) // want `p.ctx reaches \(\*http.Client\).Do via \(\*keptcancel.poller\).fetch with no deadline, and the only cancel`
	}
}

func (p *poller) fetch(ctx context.Context, url string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return
	}
	if resp, err := p.client.Do(req); err == nil {
		resp.Body.Close()
	}
}

// Negatives.

// The fix: the wait gets its own budget from the kept context.
type fixedConn struct {
	url    string
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
}

func connectFixed(ctx context.Context, url string) *fixedConn {
	connCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &fixedConn{url: url, client: &http.Client{}, ctx: connCtx, cancel: cancel}
}

func (c *fixedConn) Close() error {
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.url, nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	c.cancel()
	return err
}

// Another method cancels the kept context too: Stop ends run's waits.
type stoppable struct {
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
}

func newStoppable() *stoppable {
	ctx, cancel := context.WithCancel(context.Background())
	return &stoppable{client: &http.Client{}, ctx: ctx, cancel: cancel}
}

func (s *stoppable) run(url string) {
	defer s.cancel()
	req, err := http.NewRequestWithContext(s.ctx, http.MethodGet, url, nil)
	if err != nil {
		return
	}
	if resp, err := s.client.Do(req); err == nil {
		resp.Body.Close()
	}
}

func (s *stoppable) Stop() { s.cancel() }

// The kept context derives from the caller's: the caller's deadline and
// cancellation end the wait.
type derived struct {
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
}

func newDerived(ctx context.Context) *derived {
	ctx, cancel := context.WithCancel(ctx)
	return &derived{client: &http.Client{}, ctx: ctx, cancel: cancel}
}

func (d *derived) Close(url string) {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodDelete, url, nil)
	if err != nil {
		return
	}
	if resp, err := d.client.Do(req); err == nil {
		resp.Body.Close()
	}
	d.cancel()
}

// The cancel function is handed on (to a timer): it may run any time.
type handedOn struct {
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
}

func newHandedOn() *handedOn {
	ctx, cancel := context.WithCancel(context.Background())
	h := &handedOn{client: &http.Client{}, ctx: ctx, cancel: cancel}
	time.AfterFunc(time.Minute, h.cancel)
	return h
}

func (h *handedOn) Close(url string) {
	req, err := http.NewRequestWithContext(h.ctx, http.MethodDelete, url, nil)
	if err != nil {
		return
	}
	if resp, err := h.client.Do(req); err == nil {
		resp.Body.Close()
	}
	h.cancel()
}

// A wait inside a loop that cancels on an earlier round: the cancel does
// not only come after the wait.
type looped struct {
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
}

func newLooped() *looped {
	ctx, cancel := context.WithCancel(context.Background())
	return &looped{client: &http.Client{}, ctx: ctx, cancel: cancel}
}

func (l *looped) drain(urls []string) {
	for _, url := range urls {
		req, err := http.NewRequestWithContext(l.ctx, http.MethodGet, url, nil)
		if err != nil {
			return
		}
		if resp, err := l.client.Do(req); err == nil {
			resp.Body.Close()
		}
		l.cancel()
	}
}
