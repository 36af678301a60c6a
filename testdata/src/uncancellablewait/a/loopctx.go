package a

import (
	"context"
	"errors"
	"time"
)

// Contexts a loop checks without any caller's context in scope.

// A deadline the function made: the loop watches it, the sleep does not
// (moby's daemon start poll before its fix).
func waitStarted(ping func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if ping(ctx) == nil {
			return nil
		}
		time.Sleep(500 * time.Millisecond) // want `time.Sleep \(500ms\) ignores ctx, which this loop checks: once it is done the loop still waits for the whole sleep; select on ctx.Done\(\) and time.After instead`
	}
}

type request struct{ ctx context.Context }

type response struct{ Request *request }

// A context reached through a value (resty's Backoff checked
// resp.Request.ctx): no fix, the expression may change between rounds.
func backoffChecked(op func() (*response, error), wait func(int) time.Duration) error {
	for attempt := 0; attempt < 5; attempt++ {
		resp, err := op()
		if err == nil {
			return nil
		}
		if resp != nil && resp.Request.ctx != nil && resp.Request.ctx.Err() != nil {
			return err
		}
		time.Sleep(wait(attempt)) // want `time.Sleep \(a computed duration\) ignores resp.Request.ctx, which this loop checks`
	}
	return errors.New("retries exhausted")
}

// --- exemptions ---

// A short throttle: the context waits for it only briefly.
func throttled(ctx context.Context, step func() bool) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for ctx.Err() == nil && step() {
		time.Sleep(50 * time.Millisecond)
	}
}

// A loop that checks no context.
func retryForever(op func() error) {
	for op() != nil {
		time.Sleep(time.Second)
	}
}

// The fix: the pause is a select on the context.
func waitStartedFixed(ping func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		if ping(ctx) == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

type publishOpts struct{ ctx context.Context }

// The sleep runs only where the watched context is nil (nats.go's publish
// retry): nothing to wait on.
func publishRetry(o *publishOpts, try func() error, wait time.Duration) error {
	err := try()
	for r := 0; err != nil && r < 3; r++ {
		if o.ctx != nil {
			select {
			case <-o.ctx.Done():
			case <-time.After(wait):
			}
		} else {
			time.Sleep(wait)
		}
		err = try()
	}
	return err
}

type metadataClient struct{ ctx context.Context }

// A sleep until a few milliseconds after the last run lasts at most those
// milliseconds (franz-go's metadata loop).
func (cl *metadataClient) updateLoop(update func()) {
	lastAt := time.Now()
	for cl.ctx.Err() == nil {
		time.Sleep(time.Until(lastAt.Add(10 * time.Millisecond)))
		update()
		lastAt = time.Now()
	}
}
