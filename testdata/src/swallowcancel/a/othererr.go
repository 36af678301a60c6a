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

// ydb's cluster.Get: a budget derived from the caller's ctx runs out, or
// the caller cancels; either way the caller is told "no conns".
var errNoConns = errors.New("no available conns")

func withTrace(err error) error { return fmt.Errorf("cluster.Get: %w", err) }

func getConn(ctx context.Context, next func() (string, bool)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return "", withTrace(errNoConns) // want `a.errNoConns replaces the cancellation of ctx, a budget this function derived from the caller's ctx, when it is done: it is done too when the caller cancels`
		default:
			if c, ok := next(); ok {
				return c, nil
			}
		}
	}
}

// Fixed: the budget's own error, which is the caller's cancellation when
// the caller cancelled.
func getConnFixed(ctx context.Context, next func() (string, bool)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return "", withTrace(ctx.Err())
		default:
			if c, ok := next(); ok {
				return c, nil
			}
		}
	}
}

// A budget from a root of its own: nothing of a caller's is lost.
func getConnDetached(next func() (string, bool)) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return "", errNoConns
		default:
			if c, ok := next(); ok {
				return c, nil
			}
		}
	}
}

// etcd's promoteMember: it tells a deadline from a cancel and answers each
// in its protocol's own words.
var (
	errTimeout  = errors.New("request timed out")
	errCanceled = errors.New("request cancelled")
)

func promote(ctx context.Context, try func(context.Context) bool) error {
	cctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for cctx.Err() == nil {
		if try(cctx) {
			return nil
		}
	}
	if errors.Is(cctx.Err(), context.DeadlineExceeded) {
		return errTimeout
	}
	return errCanceled
}

// A context made from ctx with no deadline of its own is done because ctx
// is (or someone cancelled it): ctx.Err() is not known nil there.
func waitChild(ctx context.Context, ready <-chan struct{}) error {
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	select {
	case <-ready:
		return nil
	case <-child.Done():
		return ctx.Err()
	}
}

// A budget made from the done one is done too.
func waitInner(ctx context.Context, ready <-chan struct{}) error {
	inner, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return inner.Err()
	}
}
