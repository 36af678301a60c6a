// Recall case sc-release-manager-trydo
// Source: github.com/lunarway/release-manager commit c6de4b4ae29f71690e2b4e88634acf982d7d6046 (internal/try/try.go)
// Link: https://github.com/lunarway/release-manager/commit/c6de4b4ae29f71690e2b4e88634acf982d7d6046
// Bug: try.Do keeps calling f up to max attempts even after the caller's context is cancelled, so a release whose request was cancelled keeps retrying the clone/commit/push and the cancellation is reported as ordinary attempt failures.
// Fix: try.Do takes the ctx and returns ctx.Err() (joined with earlier errors) before starting another attempt once the context is done.
// Rule: swallowcancel
package try

import (
	"context"
	"errors"
	"fmt"
)

var (
	// ErrTooManyRetries indicates that an operation did not complete within
	// configured retry count.
	ErrTooManyRetries = fmt.Errorf("too many retries")
)

// Do tries the function f until max attempts is reached.
// If f returns a true bool or a nil error retries are stopped and the error is
// returned.
//
// Context cancellation is respected in between attempts.
func Do(ctx context.Context, max int, f func(int) (bool, error)) error {
	var errs error
	attempt := 1
	for {
		select {
		case <-ctx.Done():
			return errors.Join(errs, ctx.Err())
		default:
			stop, err := f(attempt)
			if err == nil {
				return nil
			}
			if stop {
				return errors.Join(errs, err)
			}
			errs = errors.Join(errs, fmt.Errorf("retry %d: %w", attempt, err))
			attempt++
			if attempt > max {
				return errors.Join(errs, ErrTooManyRetries)
			}
		}
	}
}
