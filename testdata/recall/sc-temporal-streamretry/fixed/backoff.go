// Recall case sc-temporal-streamretry
// Source: github.com/temporalio/temporal commit 20ba14babff384be363c011295568cd3bee5c516 (common/backoff/retry.go)
// Link: https://github.com/temporalio/temporal/commit/20ba14babff384be363c011295568cd3bee5c516
// Bug: WrapEventLoop retries the replication stream event loop through ThrottleRetry, and isRetryableError classifies context.Canceled (stream server context gone) as retryable, so a cancelled stream is re-run up to 100 times with backoff instead of stopping.
// Fix: WrapEventLoop takes the stream server's ctx, returns ctx.Err() before each attempt, and isRetryableError treats context.Canceled as non-retryable.
// Rule: swallowcancel
package replication

import (
	"errors"
	"time"
)

// RetryPolicy is a reduced stand-in for temporal's common/backoff policy.
type RetryPolicy struct {
	InitialInterval time.Duration
	MaximumInterval time.Duration
	MaximumAttempts int
}

const done time.Duration = -1

// ComputeNextDelay returns the delay before the next attempt or done.
func (p RetryPolicy) ComputeNextDelay(attempt int) time.Duration {
	if p.MaximumAttempts > 0 && attempt >= p.MaximumAttempts {
		return done
	}
	d := p.InitialInterval << uint(attempt-1)
	if d > p.MaximumInterval || d <= 0 {
		d = p.MaximumInterval
	}
	return d
}

// IsRetryable decides whether an error should be retried.
type IsRetryable func(error) bool

// ThrottleRetry runs operation until it succeeds, the error is not retryable
// or the policy is exhausted.
func ThrottleRetry(operation func() error, policy RetryPolicy, isRetryable IsRetryable) error {
	if operation == nil {
		return errors.New("nil operation")
	}
	attempt := 0
	for {
		attempt++
		err := operation()
		if err == nil {
			return nil
		}
		if isRetryable != nil && !isRetryable(err) {
			return err
		}
		next := policy.ComputeNextDelay(attempt)
		if next == done {
			return err
		}
		time.Sleep(next)
	}
}
