package patterns

import (
	"context"
	"fmt"
	"time"
)

// A retry helper that takes the caller's context and never looks at it
// (kopia's internalRetry): the attempt runs under that context, so once it
// is done every attempt fails at once and the helper goes on to its limit.
func retryIgnoringCtx(ctx context.Context, attempt func() error, isRetriable func(error) bool) error {
	var last error
	for i := 0; i < 10; i++ {
		err := attempt() // want `patterns.retryIgnoringCtx retries attempt after a failure but never looks at ctx, which it takes`
		if err == nil {
			return nil
		}
		last = err
		if !isRetriable(err) {
			return err
		}
	}
	return fmt.Errorf("giving up: %w", last)
}

// Fixed: the context is checked before each attempt.
func retryCheckingCtx(ctx context.Context, attempt func() error) error {
	var last error
	for i := 0; i < 10; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := attempt()
		if err == nil {
			return nil
		}
		last = err
	}
	return last
}

// The context is used (the pause watches it): no finding here.
func retryPausing(ctx context.Context, attempt func() error) error {
	var err error
	for i := 0; i < 10; i++ {
		if err = attempt(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return err
}

// A stop channel in the loop may end it.
func retryUntilStopped(_ context.Context, stop <-chan struct{}, attempt func() error) error {
	for {
		err := attempt()
		if err == nil {
			return nil
		}
		select {
		case <-stop:
			return err
		default:
		}
	}
}

// No retry: the first failure is returned.
func callOnceEach(ctx context.Context, attempts []func() error) error {
	for _, attempt := range attempts {
		if err := attempt(); err != nil {
			return err
		}
	}
	return nil
}
