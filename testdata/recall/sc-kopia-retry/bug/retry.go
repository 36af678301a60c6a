// Recall case sc-kopia-retry
// Source: github.com/kopia/kopia commit b7a4fa56bf3ec7fbb42bbd89fd3f0b33a2ff6d5a (internal/retry/retry.go)
// Link: https://github.com/kopia/kopia/commit/b7a4fa56bf3ec7fbb42bbd89fd3f0b33a2ff6d5a
// Bug: internalRetry (used by retryingStorage.GetBlob via WithExponentialBackoffNoValue) keeps retrying attempts that fail with context.Canceled/DeadlineExceeded (isRetriable says yes) and finally returns errors.Errorf("... last error: %v"), so the cancellation is retried and then replaced by an unwrapped error.
// Fix: internalRetry checks ctx.Err() before every attempt and returns the context error as-is (kopia issue #1377).
// Rule: swallowcancel
package retrying

import (
	"context"
	"fmt"
	"log"
	"time"
)

var (
	maxAttempts             = 10
	retryInitialSleepAmount = 100 * time.Millisecond
	retryMaxSleepAmount     = 32 * time.Second
)

const retryExponent = 1.5

// AttemptFunc performs an attempt and returns a value (optional, may be nil) and an error.
type AttemptFunc func() (interface{}, error)

// IsRetriableFunc is a function that determines whether an error is retriable.
type IsRetriableFunc func(err error) bool

// WithExponentialBackoff runs the provided attempt until it succeeds, retrying on all errors that are
// deemed retriable by the provided function. The delay between retries grows exponentially up to
// a certain limit.
func WithExponentialBackoff(ctx context.Context, desc string, attempt AttemptFunc, isRetriableError IsRetriableFunc) (interface{}, error) {
	return internalRetry(ctx, desc, attempt, isRetriableError, retryInitialSleepAmount, retryMaxSleepAmount, maxAttempts, retryExponent)
}

// WithExponentialBackoffNoValue is a shorthand for WithExponentialBackoff except the
// attempt function does not return any value.
func WithExponentialBackoffNoValue(ctx context.Context, desc string, attempt func() error, isRetriableError IsRetriableFunc) error {
	_, err := WithExponentialBackoff(ctx, desc, func() (interface{}, error) {
		return nil, attempt()
	}, isRetriableError)

	return err
}

// internalRetry runs the provided attempt until it succeeds, retrying on all errors that are
// deemed retriable by the provided function. The delay between retries grows exponentially up to
// a certain limit.
// (Reduction: upstream's time.Sleep(sleepAmount) between attempts is cut.)
func internalRetry(ctx context.Context, desc string, attempt AttemptFunc, isRetriableError IsRetriableFunc, initial, max time.Duration, count int, factor float64) (interface{}, error) {
	sleepAmount := initial

	var lastError error

	for i := 0; i < count; i++ {
		v, err := attempt()
		if err == nil {
			return v, nil
		}

		lastError = err

		if !isRetriableError(err) {
			return v, err
		}

		log.Printf("got error %v when %v (#%v), sleeping for %v before retrying", err, desc, i, sleepAmount)
		sleepAmount = time.Duration(float64(sleepAmount) * factor)

		if sleepAmount > max {
			sleepAmount = max
		}
	}

	return nil, fmt.Errorf("unable to complete %v despite %v retries, last error: %v", desc, count, lastError)
}
