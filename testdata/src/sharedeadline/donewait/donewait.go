// Package donewait: waits a context governs through its Done channel, in a
// select beside the channel a reader goroutine answers on (gocql's exec).
package donewait

import (
	"context"
	"errors"
	"time"
)

type conn struct {
	calls   chan chan error
	timeout time.Duration
	quit    chan struct{}
}

// exec waits for the reader's answer, its own timeout, or ctx.
func (c *conn) exec(ctx context.Context) error {
	resp := make(chan error, 1)
	c.calls <- resp
	var timeoutCh <-chan time.Time
	if c.timeout > 0 {
		t := time.NewTimer(c.timeout)
		defer t.Stop()
		timeoutCh = t.C
	}
	var ctxDone <-chan struct{}
	if ctx != nil {
		ctxDone = ctx.Done()
	}
	select {
	case err := <-resp:
		return err
	case <-timeoutCh:
		return errors.New("timed out")
	case <-ctxDone:
		return ctx.Err()
	case <-c.quit:
		return errors.New("closed")
	}
}

// --- reported ---

// The handshake drops the startup context (gocql's authenticateHandshake).
func (c *conn) authenticate(ctx context.Context) error {
	return c.exec(context.Background()) // want `context.Background\(\) drops ctx's deadline and cancellation: \(\*donewait.conn\).exec reaches a select on its context's Done`
}

// --- not reported ---

func (c *conn) authenticateFixed(ctx context.Context) error {
	return c.exec(ctx)
}

// Without a context in scope a root is no dropped context, and the wait
// has other bounds the analysis cannot judge.
func (c *conn) ping() error {
	return c.exec(context.Background())
}

// pause only sleeps, cancellably: no wait on anything.
func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func (c *conn) retry(ctx context.Context) error {
	if err := pause(context.Background(), time.Millisecond); err != nil {
		return err
	}
	return c.exec(ctx)
}
