package donewait

import (
	"context"
	"errors"
	"time"
)

// A call that waits for its reply under a timer of its own, with the
// caller's context in scope and no case on its Done (wsrpc's Invoke): the
// caller's cancellation and deadline never reach the wait.
type rpcConn struct {
	replies map[string]chan string
	send    func(string) error
}

func (c *rpcConn) Invoke(ctx context.Context, id, req string) (string, error) {
	wait := make(chan string, 1)
	c.replies[id] = wait
	if err := c.send(req); err != nil {
		return "", err
	}
	select {
	case r := <-wait:
		return r, nil
	case <-time.After(2 * time.Second): // want `this select waits for an answer under a timer of its own and has no case on ctx.Done\(\): ctx's cancellation and deadline never reach the wait; add case <-ctx.Done\(\) returning ctx.Err\(\)`
		delete(c.replies, id)
		return "", errors.New("call timeout")
	}
}

// Not reported: the context is watched too; no caller's context is in
// scope; the timer ends the wait quietly (a best-effort flush); a select
// in a loop.
func (c *rpcConn) InvokeFixed(ctx context.Context, id, req string) (string, error) {
	wait := make(chan string, 1)
	c.replies[id] = wait
	if err := c.send(req); err != nil {
		return "", err
	}
	select {
	case r := <-wait:
		return r, nil
	case <-time.After(2 * time.Second):
		return "", errors.New("call timeout")
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (c *rpcConn) invokeNoContext(id, req string) (string, error) {
	wait := make(chan string, 1)
	c.replies[id] = wait
	select {
	case r := <-wait:
		return r, nil
	case <-time.After(2 * time.Second):
		return "", errors.New("call timeout")
	}
}

func (c *rpcConn) flush(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
	case <-time.After(100 * time.Millisecond):
	}
	return nil
}

func (c *rpcConn) drainAll(ctx context.Context, replies <-chan string) error {
	for {
		select {
		case _, ok := <-replies:
			if !ok {
				return nil
			}
		case <-time.After(time.Second):
			return errors.New("stalled")
		}
	}
}
