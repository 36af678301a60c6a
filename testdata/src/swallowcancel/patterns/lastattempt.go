package patterns

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"
)

// A retry loop that pauses between attempts and, when the context is done
// in the pause, returns the last attempt's error: the caller cannot tell
// it gave up because it was cancelled (cenkalti/backoff's RetryNotify).
func retryLast(ctx context.Context, op func() error) error {
	for {
		err := op()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err // want `when ctx is done between attempts this returns the last attempt's error \(from op\(\)\) in its place`
		case <-time.After(time.Second):
		}
	}
}

// The context comes inside a value the caller passed.
type policy interface {
	Context() context.Context
	Next() time.Duration
}

type plainPolicy struct{ wait time.Duration }

func (p plainPolicy) Context() context.Context { return context.Background() }
func (p plainPolicy) Next() time.Duration      { return p.wait }

func withContext(p policy) policy {
	if p != nil {
		return p
	}
	return plainPolicy{wait: time.Second}
}

func retryPolicy(operation func() error, p policy) error {
	pc := withContext(p)
	var err error
	for {
		if err = operation(); err == nil {
			return nil
		}
		t := time.NewTimer(pc.Next())
		select {
		case <-pc.Context().Done():
			t.Stop()
			return err // want `when pc.Context\(\) is done between attempts this returns the last attempt's error \(from operation\(\)\) in its place: .*return pc.Context\(\).Err\(\)`
		case <-t.C:
		}
	}
}

// Fixed: the cancellation is returned, or wraps the last error.
func retryCtxErr(ctx context.Context, op func() error) error {
	for {
		err := op()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(time.Second):
		}
	}
}

func retryJoined(ctx context.Context, op func() error) error {
	for {
		err := op()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(time.Second):
		}
	}
}

// A poll that does not wait for the context (select with default) learns
// of it between attempts by chance: not a pause that was cut short.
func pollOnce(ctx context.Context, op func() error) error {
	for i := 0; ; i++ {
		err := op()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("after %d tries: %w", i, ctx.Err())
		default:
		}
		if i > 3 {
			return err
		}
	}
}

// A service loop that logs failures and returns when stopped: the error
// it returns is not known to be a failure (it may be nil).
func serveTicks(ctx context.Context, tick func() error) error {
	for {
		err := tick()
		if err != nil {
			log.Print(err)
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Second):
		}
	}
}

// A context the function made itself from a value it built is no caller's.
func retryOwnPolicy(operation func() error) error {
	pc := withContext(plainPolicy{wait: time.Second})
	for {
		err := operation()
		if err == nil {
			return nil
		}
		select {
		case <-pc.Context().Done():
			return err
		case <-time.After(pc.Next()):
		}
	}
}
