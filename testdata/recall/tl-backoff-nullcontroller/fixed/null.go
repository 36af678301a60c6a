// Recall case tl-backoff-nullcontroller
// Source: github.com/lestrrat-go/backoff commit 516ec533ab5eb3c8c3a2c8e9a92d7cd52d31f830 (null.go)
// Link: https://github.com/lestrrat-go/backoff/commit/516ec533ab5eb3c8c3a2c8e9a92d7cd52d31f830
// Bug: newNullController starts a goroutine that sends on the unbuffered next channel; Continue selects on Done() too, so when the ctx is cancelled first nobody ever receives and the goroutine blocks forever.
// Fix: the sender selects on c.ctx.Done() alongside the send.
// Rule: timeoutleak
package backoff

import (
	"context"
	"sync"
)

type Controller interface {
	Done() <-chan struct{}
	Next() <-chan struct{}
}

type Policy interface {
	Start(context.Context) Controller
}

// NullPolicy does not do any backoff. It allows the caller
// to execute the desired code once, and no more
type NullPolicy struct{}

func NewNull() *NullPolicy {
	return &NullPolicy{}
}

// Null creates a new NullPolicy object
func Null() Policy {
	return NewNull()
}

func (p *NullPolicy) Start(ctx context.Context) Controller {
	return newNullController(ctx)
}

type nullController struct {
	mu   *sync.RWMutex
	ctx  context.Context
	next chan struct{}
}

func newNullController(ctx context.Context) *nullController {
	cctx, cancel := context.WithCancel(ctx)
	c := &nullController{
		mu:   &sync.RWMutex{},
		ctx:  cctx,
		next: make(chan struct{}), // NO BUFFER
	}
	go func(ch chan struct{}, cancel func()) {
		select {
		case <-c.ctx.Done():
		case ch <- struct{}{}:
		}
		close(ch)
		cancel()
	}(c.next, cancel)
	return c
}

func (c *nullController) Done() <-chan struct{} {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.ctx.Done()
}

func (c *nullController) Next() <-chan struct{} {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.next
}

// Continue is a convenience function to check when we can fire
// the next invocation of the desired backoff code
//
//	for backoff.Continue(c) {
//	 ... your code ...
//	}
func Continue(c Controller) bool {
	select {
	case <-c.Done():
		return false
	case _, ok := <-c.Next():
		return ok
	}
}
