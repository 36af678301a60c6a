package a

import (
	"context"
	"sync"
	"time"
)

// sourcegraph/jsonrpc2: a pending call's done channel, answered by the
// connection's reader with a send and a close; Call stops waiting when
// its context is done.
type pendingCall struct {
	seq  uint64
	done chan error
}

type rpcConn struct {
	mu      sync.Mutex
	seq     uint64
	pending map[uint64]*pendingCall
	replies chan uint64
}

func (c *rpcConn) send() *pendingCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc := &pendingCall{seq: c.seq, done: make(chan error)} // want `this unbuffered channel is kept in field done, \(\*a.rpcConn\).Call stops waiting for it when ctx.Done\(\) fires, and \(\*a.rpcConn\).readLoop answers it with a plain send: that sender then blocks forever \(and all it serves\); make it buffered: make\(chan error, 1\)`
	c.pending[c.seq] = cc
	c.seq++
	return cc
}

func (c *rpcConn) Call(ctx context.Context) error {
	call := c.send()
	select {
	case err := <-call.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *rpcConn) readLoop() {
	for id := range c.replies {
		c.mu.Lock()
		call := c.pending[id]
		delete(c.pending, id)
		c.mu.Unlock()
		if call != nil {
			call.done <- nil
			close(call.done)
		}
	}
}

// The fix: one slot for the late answer.
type bufferedCall struct{ done chan error }

type bufferedConn struct {
	pending map[uint64]*bufferedCall
	replies chan uint64
}

func (c *bufferedConn) Call(ctx context.Context, id uint64) error {
	call := &bufferedCall{done: make(chan error, 1)}
	c.pending[id] = call
	select {
	case err := <-call.done:
		return err
	case <-time.After(time.Second):
		return context.DeadlineExceeded
	}
}

func (c *bufferedConn) readLoop() {
	for id := range c.replies {
		if call := c.pending[id]; call != nil {
			call.done <- nil
			close(call.done)
		}
	}
}

// A receiver that takes its call out of the table when it stops waiting:
// no one answers it after that (the table's lock orders the two).
type forgottenCall struct {
	id   uint64
	done chan error
}

type forgettingConn struct {
	mu      sync.Mutex
	pending map[uint64]*forgottenCall
	replies chan uint64
}

func (c *forgettingConn) Call(ctx context.Context, id uint64) error {
	call := &forgottenCall{id: id, done: make(chan error)}
	c.mu.Lock()
	c.pending[id] = call
	c.mu.Unlock()
	select {
	case err := <-call.done:
		return err
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, call.id)
		c.mu.Unlock()
		return ctx.Err()
	}
}

func (c *forgettingConn) readLoop() {
	for id := range c.replies {
		c.mu.Lock()
		call := c.pending[id]
		c.mu.Unlock()
		if call != nil {
			call.done <- nil
			close(call.done)
		}
	}
}

// A stream, not a reply: sends that do not close after them.
type subscription struct{ events chan int }

func (s *subscription) Next(ctx context.Context) (int, error) {
	select {
	case e := <-s.events:
		return e, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func newSubscription() *subscription { return &subscription{events: make(chan int)} }

func (s *subscription) publish(e int) { s.events <- e }

// A field stored from a caller's channel too: its buffer is not known.
type handedCall struct{ done chan error }

func newHanded(done chan error) *handedCall { return &handedCall{done: done} }

func newOwnHanded() *handedCall { return &handedCall{done: make(chan error)} }

func (h *handedCall) Wait(ctx context.Context) error {
	select {
	case err := <-h.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *handedCall) answer(err error) {
	h.done <- err
	close(h.done)
}

// A waiter that goes round to wait again when the timer fires: it does
// not leave without the answer.
type patientCall struct{ done chan error }

func (p *patientCall) Wait() error {
	p.done = make(chan error)
	for {
		select {
		case err := <-p.done:
			return err
		case <-time.After(time.Second):
			println("still waiting")
		}
	}
}

func (p *patientCall) answer() {
	p.done <- nil
	close(p.done)
}
