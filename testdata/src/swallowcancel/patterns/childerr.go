package patterns

import (
	"context"
	"fmt"
	"time"
)

// ctx.Err() of a context derived from the caller's, formatted with %s:
// the function's own budget ran out or the caller cancelled, and either
// way the caller can no longer tell (linodego's WaitForVolumeStatus).

func waitForStatus(ctx context.Context, poll func(context.Context) (bool, error), timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			done, err := poll(ctx)
			if err != nil {
				return err
			}
			if done {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("waiting for status: %s", ctx.Err()) // want `%s formats ctx.Err\(\), which may be a context cancellation \(from a context derived from the caller's ctx\), without wrapping it`
		}
	}
}

func waitForStatusFixed(ctx context.Context, poll func(context.Context) (bool, error), timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		select {
		case <-time.After(time.Second):
			done, err := poll(ctx)
			if err != nil || done {
				return err
			}
		case <-ctx.Done():
			return fmt.Errorf("waiting for status: %w", ctx.Err())
		}
	}
}

// A budget of the function's own over a fresh root: its expiry is the
// function's to report as it likes.
func waitForStatusOwn(poll func(context.Context) (bool, error), timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		select {
		case <-time.After(time.Second):
			done, err := poll(ctx)
			if err != nil || done {
				return err
			}
		case <-ctx.Done():
			return fmt.Errorf("gave up after %s: %v", timeout, ctx.Err())
		}
	}
}
