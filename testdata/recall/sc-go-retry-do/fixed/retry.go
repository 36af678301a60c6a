// Recall case sc-go-retry-do
// Source: github.com/sethvargo/go-retry commit 2b17a4140c93c0776a3b6482d16469eaf3e09e9e (retry.go)
// Link: https://github.com/sethvargo/go-retry/commit/2b17a4140c93c0776a3b6482d16469eaf3e09e9e
// Bug: Do calls f even when ctx is already cancelled, and after a retryable error its select between ctx.Done() and time.After(next) may pick the timer, so a cancelled context is retried instead of returned
// Fix: return ctx.Err() immediately if ctx is done before the first attempt, and check ctx.Done() alone (with priority) before waiting for the next attempt
// Rule: swallowcancel
package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// RetryFunc is a function passed to retry.
type RetryFunc func(ctx context.Context) error

type retryableError struct {
	err error
}

// RetryableError marks an error as retryable.
func RetryableError(err error) error {
	if err == nil {
		return nil
	}
	return &retryableError{err}
}

// Unwrap implements error wrapping.
func (e *retryableError) Unwrap() error {
	return e.err
}

// Error returns the error string.
func (e *retryableError) Error() string {
	if e.err == nil {
		return "retryable: <nil>"
	}
	return "retryable: " + e.err.Error()
}

// Backoff is an interface that backs off.
type Backoff interface {
	// Next returns the time duration to wait and whether to stop.
	Next() (next time.Duration, stop bool)
}

// BackoffFunc is a backoff expressed as a function.
type BackoffFunc func() (time.Duration, bool)

// Next implements Backoff.
func (b BackoffFunc) Next() (time.Duration, bool) {
	return b()
}

// NewConstant creates a new constant backoff using the value t.
func NewConstant(t time.Duration) Backoff {
	return BackoffFunc(func() (time.Duration, bool) {
		return t, false
	})
}

// Do wraps a function with a backoff to retry. The provided context is the same
// context passed to the RetryFunc.
func Do(ctx context.Context, b Backoff, f RetryFunc) error {
	// If ctx is already canceled, then return immediately without calling f
	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
	}

	for {
		err := f(ctx)
		if err == nil {
			return nil
		}

		// Not retryable
		var rerr *retryableError
		if !errors.As(err, &rerr) {
			return err
		}

		next, stop := b.Next()
		if stop {
			return rerr.Unwrap()
		}

		// ctx.Done() has priority, so we test it alone first
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}

		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(next):
			continue
		}
	}
}

// Fetch is a typical caller: GET url, retrying on 5xx responses.
func Fetch(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	var body []byte
	err := Do(ctx, NewConstant(0), func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 500 {
			return RetryableError(fmt.Errorf("server error: %d", resp.StatusCode))
		}
		body, err = io.ReadAll(resp.Body)
		return err
	})
	return body, err
}
