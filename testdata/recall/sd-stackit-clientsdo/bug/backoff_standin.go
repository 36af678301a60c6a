// Recall case sd-stackit-clientsdo
// Source: github.com/stackitcloud/stackit-sdk-go commit f695b381a1f8397b40f965fd5c186eb37b952e93 (core/clients/clients.go)
// Link: https://github.com/stackitcloud/stackit-sdk-go/commit/f695b381a1f8397b40f965fd5c186eb37b952e93
// Bug: Do starts its retry budget with context.WithTimeout(context.Background(), cfg.RetryTimeout), ignoring the deadline/cancellation carried by req.Context(), so retries keep going (up to 2 minutes) after the caller gave up.
// Fix: the retry context is derived from the request: context.WithTimeout(req.Context(), cfg.RetryTimeout).
// Rule: sharedeadline
package clients

import (
	"context"
	"errors"
	"time"
)

// Minimal stand-in for github.com/cenkalti/backoff/v4 (constant backoff,
// context-aware retry, permanent errors).

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func backoffPermanent(err error) error { return &permanentError{err: err} }

type backOffContext struct {
	interval time.Duration
	ctx      context.Context
}

func backoffWithContext(interval time.Duration, ctx context.Context) *backOffContext {
	return &backOffContext{interval: interval, ctx: ctx}
}

func backoffRetry(operation func() error, b *backOffContext) error {
	for {
		err := operation()
		if err == nil {
			return nil
		}
		var permanent *permanentError
		if errors.As(err, &permanent) {
			return permanent.err
		}
		t := time.NewTimer(b.interval)
		select {
		case <-b.ctx.Done():
			t.Stop()
			return b.ctx.Err()
		case <-t.C:
		}
	}
}
