// Recall case sc-tuppr-executewithretry
// Source: github.com/home-operations/tuppr commit c15b955cc4598620b6b0b2e61d5622c00ccb99d1 (internal/talos/client.go)
// Link: https://github.com/home-operations/tuppr/commit/c15b955cc4598620b6b0b2e61d5622c00ccb99d1
// Bug: executeWithRetry classifies context.DeadlineExceeded as a transient error, so when the caller's own ctx has expired it refreshes the client and keeps retrying the dead operation for the whole 10s retry budget, finally returning a confusing "...; timeout" error instead of the context error.
// Fix: after a failed attempt it checks ctx.Err() and, if the local context is dead, stops the retryer and returns the attempt's error as-is.
// Rule: swallowcancel
package talos

import (
	"errors"
	"fmt"
	"time"
)

// Minimal stand-in for github.com/siderolabs/go-retry/retry.

type expectedError struct{ err error }

func (e expectedError) Error() string { return e.err.Error() }
func (e expectedError) Unwrap() error { return e.err }

// ExpectedError marks err as retryable.
func ExpectedError(err error) error { return expectedError{err} }

type constantRetrier struct {
	duration time.Duration
	units    time.Duration
}

type retryOption func(*constantRetrier)

// WithUnits sets the pause between attempts.
func WithUnits(u time.Duration) retryOption { return func(r *constantRetrier) { r.units = u } }

// Constant retries for at most duration.
func Constant(duration time.Duration, opts ...retryOption) constantRetrier {
	r := constantRetrier{duration: duration, units: time.Second}
	for _, o := range opts {
		o(&r)
	}
	return r
}

// Retry calls f until it returns nil or an unexpected error, or until the
// retry duration is exhausted.
func (r constantRetrier) Retry(f func() error) error {
	deadline := time.Now().Add(r.duration)
	var lastErr error
	for {
		err := f()
		if err == nil {
			return nil
		}
		var exp expectedError
		if !errors.As(err, &exp) {
			return err
		}
		lastErr = exp.err
		if time.Now().After(deadline) {
			return fmt.Errorf("%w; timeout", lastErr)
		}
		<-time.After(r.units)
	}
}
