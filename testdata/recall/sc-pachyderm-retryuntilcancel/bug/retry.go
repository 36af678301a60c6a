// Recall case sc-pachyderm-retryuntilcancel
// Source: github.com/pachyderm/pachyderm commit 84d792fdd67e4fb1c37ced893c0ffbaafbca5131 (src/server/pkg/backoff/retry.go)
// Link: https://github.com/pachyderm/pachyderm/commit/84d792fdd67e4fb1c37ced893c0ffbaafbca5131
// Bug: RetryUntilCancel's notify hook, on <-ctx.Done(), returns the last operation error instead of the context error, so callers get an unrelated error and cannot tell (errors.Is) that the retry loop stopped because the context was canceled.
// Fix: the notify hook returns ctx.Err() when the context is done.
// Rule: swallowcancel
package backoff

import (
	"context"
	"fmt"
	"time"
)

// BackOff is a backoff policy for retrying an operation.
type BackOff interface {
	// NextBackOff returns the duration to wait before retrying the operation,
	// or backoff.Stop to indicate that no more retries should be made.
	NextBackOff() time.Duration

	// Reset to initial state.
	Reset()
}

// Stop indicates that no more retries should be made for use in NextBackOff().
const Stop time.Duration = -1

// ConstantBackOff is a backoff policy that always returns the same backoff delay.
type ConstantBackOff struct {
	Interval time.Duration
}

func (b *ConstantBackOff) Reset()                     {}
func (b *ConstantBackOff) NextBackOff() time.Duration { return b.Interval }

// NewExponentialBackOff is reduced to a constant back-off for this case.
func NewExponentialBackOff() BackOff { return &ConstantBackOff{Interval: 500 * time.Millisecond} }

// An Operation is executing by Retry() or RetryNotify().
// The operation will be retried using a backoff policy if it returns an error.
type Operation func() error

// Notify is a notify-on-error function. It receives an operation error and
// backoff delay if the operation failed (with an error).
//
// If the notify function returns an error itself, we stop retrying and return
// the error.
//
// NOTE that if the backoff policy stated to stop retrying,
// the notify function isn't called.
type Notify func(error, time.Duration) error

// Retry the operation o until it does not return error or BackOff stops.
// o is guaranteed to be run at least once.
// It is the caller's responsibility to reset b after Retry returns.
//
// Retry sleeps the goroutine for the duration returned by BackOff after a
// failed operation returns.
func Retry(o Operation, b BackOff) error { return RetryNotify(o, b, nil) }

// RetryNotify calls notify function with the error and wait duration
// for each failed attempt before sleep.
func RetryNotify(operation Operation, b BackOff, notify Notify) error {
	var err error
	var next time.Duration

	b.Reset()
	for {
		if err = operation(); err == nil {
			return nil
		}

		if next = b.NextBackOff(); next == Stop {
			return err
		}

		if notify != nil {
			if err := notify(err, next); err != nil {
				return err
			}
		}

		time.Sleep(next)
	}
}

// RetryUntilCancel is the same as RetryNotify, except that it will not retry if
// the given context is canceled.
func RetryUntilCancel(ctx context.Context, operation Operation, b BackOff, notify Notify) error {
	return RetryNotify(operation, b, func(err error, d time.Duration) error {
		select {
		case <-ctx.Done():
			return err
		default:
			return notify(err, d)
		}
	})
}

// retry is a caller of RetryUntilCancel (src/server/pkg/storage/gc/util.go).
func retry(ctx context.Context, name string, f func() error) error {
	return RetryUntilCancel(ctx, f, NewExponentialBackOff(), func(err error, _ time.Duration) error {
		fmt.Printf("%v: %v\n", name, err)
		return nil
	})
}
