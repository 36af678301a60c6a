package a

import (
	"context"
	"errors"
	"time"
)

// pause fails only once ctx is done: its callers learn from its error
// that ctx is done.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type invoker func(ctx context.Context, method string) error

// grpc-middleware's retry interceptor: the pause between attempts failed
// because the caller's context is done, and the interceptor answered nil,
// as if the call had succeeded.
func retryInterceptor(max int) func(ctx context.Context, method string, invoke invoker) error {
	return func(ctx context.Context, method string, invoke invoker) error {
		var last error
		for attempt := 0; attempt < max; attempt++ {
			if err := pause(ctx, time.Duration(attempt)*50*time.Millisecond); err != nil {
				return nil // want `returning nil when ctx is done \(err from pause\(\), which fails only once ctx is done\) tells the caller the work finished when it was abandoned: return err`
			}
			if last = invoke(ctx, method); last == nil {
				return nil
			}
		}
		return last
	}
}

// The fix upstream: the pause's error goes back.
func retryInterceptorFixed(max int) func(ctx context.Context, method string, invoke invoker) error {
	return func(ctx context.Context, method string, invoke invoker) error {
		var last error
		for attempt := 0; attempt < max; attempt++ {
			if err := pause(ctx, time.Duration(attempt)*50*time.Millisecond); err != nil {
				return err
			}
			if last = invoke(ctx, method); last == nil {
				return nil
			}
		}
		return last
	}
}

// A fresh error in place of the pause's cancellation.
func waitThenWork(ctx context.Context, work func() error) error {
	if err := pause(ctx, time.Second); err != nil {
		return errors.New("interrupted") // want `errors.New replaces ctx's cancellation when it is done with an error that does not wrap it: errors.Is\(err, context.Canceled\) is false upstream; return err or wrap it with %w`
	}
	return work()
}

// A loop that runs until cancelled, pausing through the helper: nil is
// its clean stop (it waited for the cancellation, as a blocking select
// does, and has no other way to succeed).
func tick(ctx context.Context, work func()) error {
	for {
		work()
		if err := pause(ctx, time.Minute); err != nil {
			return nil
		}
	}
}

// A helper that also fails on its own is no pause: its error says
// nothing of ctx.
func pauseOrFail(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return errors.New("negative pause")
	}
	return pause(ctx, d)
}

func retryOnOwnFailure(ctx context.Context, invoke invoker) error {
	for attempt := 0; attempt < 3; attempt++ {
		if err := pauseOrFail(ctx, time.Duration(attempt)); err != nil {
			return nil
		}
		if invoke(ctx, "m") == nil {
			return nil
		}
	}
	return nil
}
