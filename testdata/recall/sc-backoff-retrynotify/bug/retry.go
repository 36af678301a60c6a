// Recall case sc-backoff-retrynotify
// Source: github.com/cenkalti/backoff commit f1b5cc73f9e98e1cf16edee7b42bec78d8d76d25 (retry.go)
// Link: https://github.com/cenkalti/backoff/pull/83
// Bug: when the BackOffContext's ctx is done while waiting between attempts, RetryNotify returns the last operation error instead of the context error.
// Fix: the ctx.Done() case returns cb.Context().Err().
// Rule: swallowcancel
package backoff

import (
	"context"
	"time"
)

type Operation func() error

type Notify func(error, time.Duration)

const Stop time.Duration = -1

type BackOff interface {
	NextBackOff() time.Duration
	Reset()
}

type BackOffContext interface {
	BackOff
	Context() context.Context
}

type backOffContext struct {
	BackOff
	ctx context.Context
}

func (b *backOffContext) Context() context.Context { return b.ctx }

func ensureContext(b BackOff) BackOffContext {
	if cb, ok := b.(BackOffContext); ok {
		return cb
	}
	return &backOffContext{BackOff: b, ctx: context.Background()}
}

func RetryNotify(operation Operation, b BackOff, notify Notify) error {
	var err error
	var next time.Duration
	var t *time.Timer

	cb := ensureContext(b)

	b.Reset()
	for {
		if err = operation(); err == nil {
			return nil
		}

		if next = cb.NextBackOff(); next == Stop {
			return err
		}

		if notify != nil {
			notify(err, next)
		}

		if t == nil {
			t = time.NewTimer(next)
			defer t.Stop()
		} else {
			t.Reset(next)
		}

		select {
		case <-cb.Context().Done():
			return err
		case <-t.C:
		}
	}
}
