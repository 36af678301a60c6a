// Recall case sc-lakefs-healthcheck-retry
// Source: github.com/treeverse/lakeFS commit 6f82fa0cc0edf16d477a712f6caa137982310e8c (pkg/auth/service.go)
// Link: https://github.com/treeverse/lakeFS/commit/6f82fa0cc0edf16d477a712f6caa137982310e8c
// Bug: CheckHealth retries the auth-server health probe with backoff.Retry on a plain exponential backoff that is not bound to ctx, so once ctx is cancelled every probe fails with the context error and the loop keeps retrying (and sleeping) until MaxElapsedTime instead of stopping.
// Fix: wrap the backoff with backoff.WithContext(bo, ctx) so the retry loop stops and returns when ctx is done.
// Rule: swallowcancel
package auth

import (
	"context"
	"time"
)

// backoff is a reduced local stand-in for github.com/cenkalti/backoff/v4.
var backoff = struct {
	Retry                 func(op func() error, b BackOff) error
	WithContext           func(b BackOff, ctx context.Context) BackOff
	NewExponentialBackOff func() *ExponentialBackOff
}{
	Retry:                 retry,
	WithContext:           withContext,
	NewExponentialBackOff: newExponentialBackOff,
}

const stop time.Duration = -1

// BackOff is the backoff policy interface.
type BackOff interface {
	NextBackOff() time.Duration
	Reset()
}

type ExponentialBackOff struct {
	InitialInterval time.Duration
	MaxInterval     time.Duration
	MaxElapsedTime  time.Duration
	current         time.Duration
	start           time.Time
}

func newExponentialBackOff() *ExponentialBackOff {
	b := &ExponentialBackOff{InitialInterval: 500 * time.Millisecond, MaxInterval: time.Minute, MaxElapsedTime: 15 * time.Minute}
	b.Reset()
	return b
}

func (b *ExponentialBackOff) Reset() {
	b.current = b.InitialInterval
	b.start = time.Now()
}

func (b *ExponentialBackOff) NextBackOff() time.Duration {
	if b.MaxElapsedTime != 0 && time.Since(b.start) > b.MaxElapsedTime {
		return stop
	}
	next := b.current
	b.current = min(b.current*2, b.MaxInterval)
	return next
}

type backOffContext struct {
	BackOff
	ctx context.Context
}

func withContext(b BackOff, ctx context.Context) BackOff {
	return &backOffContext{BackOff: b, ctx: ctx}
}

func (b *backOffContext) NextBackOff() time.Duration {
	select {
	case <-b.ctx.Done():
		return stop
	default:
		return b.BackOff.NextBackOff()
	}
}

// retry mirrors backoff.Retry: the context is only observed if b carries one.
func retry(op func() error, b BackOff) error {
	ctx := context.Background()
	if cb, ok := b.(*backOffContext); ok {
		ctx = cb.ctx
	}
	b.Reset()
	for {
		err := op()
		if err == nil {
			return nil
		}
		next := b.NextBackOff()
		if next == stop {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			return err
		}
		t := time.NewTimer(next)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
