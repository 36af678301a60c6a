package a

import (
	"context"
	"errors"
	"fmt"
	"time"
)

func wrapErr(err error, msg string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// go-ethlibs' looping transport: told its own context is done, it returns
// the caller's context's error, which is nil while the caller waits.
type loopingTransport struct {
	ctx      context.Context
	requests chan string
}

func (t *loopingTransport) Request(ctx context.Context, r string) (string, error) {
	select {
	case t.requests <- r:
		return "sent", nil
	case <-t.ctx.Done():
		return "", wrapErr(ctx.Err(), "transport context finished") // want `when t.ctx is done this returns the error of ctx, another context, which is nil while ctx is live: the caller is told the work finished when it was abandoned; return t.ctx.Err\(\)`
	case <-ctx.Done():
		return "", wrapErr(ctx.Err(), "context finished waiting for response")
	}
}

// A budget of the function's own ran out: the parent's error is nil then.
func waitBudget(ctx context.Context, ready <-chan struct{}) error {
	tctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	select {
	case <-ready:
		return nil
	case <-tctx.Done():
		return ctx.Err() // want `when tctx is done this returns the error of ctx, another context`
	}
}

// Negatives.

// The transport's own error.
func (t *loopingTransport) RequestFixed(ctx context.Context, r string) (string, error) {
	select {
	case t.requests <- r:
		return "sent", nil
	case <-t.ctx.Done():
		return "", wrapErr(t.ctx.Err(), "transport context finished")
	case <-ctx.Done():
		return "", wrapErr(ctx.Err(), "context finished waiting for response")
	}
}

// A context made from the done one is done too.
func waitDerived(ctx context.Context, ready <-chan struct{}) error {
	inner, cancel := context.WithCancel(ctx)
	defer cancel()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return inner.Err()
	}
}

// The other context was found done on the way.
func waitBoth(ctx context.Context, ready <-chan struct{}) error {
	tctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	select {
	case <-ready:
		return nil
	case <-tctx.Done():
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errors.New("timed out")
	}
}
