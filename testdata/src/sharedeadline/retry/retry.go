package retry

import (
	"context"
	"errors"
	"time"
)

func try(ctx context.Context) error { return ctx.Err() }

func retryBackoff(n int) bool { return n < 3 }

// --- reported: per-attempt budgets whose total nothing bounds ---

func retryForever() error {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second) // want `each attempt gets 3s, but the endless retry loop has no attempt limit and the parent context.Background\(\) has no deadline: the total wait, attempts × 3s, is unbounded; put one deadline on the parent before the loop, or bound the attempts`
		err := try(ctx)
		cancel()
		if err == nil {
			return nil
		}
	}
}

// Failures continue; the unconditional return at the end is the success exit.
func retryContinue(base context.Context) error {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	for {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second) // want `each attempt gets 10s, but the endless retry loop has no attempt limit and the parent context.Background\(\) has no deadline`
		err := try(actx)
		cancel()
		if err != nil {
			time.Sleep(time.Second)
			continue
		}
		return nil
	}
}

// `for err != nil` retries until success.
func retryUntilNil() {
	err := errors.New("not yet")
	for err != nil {
		ctx, cancel := context.WithTimeout(context.TODO(), time.Minute) // want `each attempt gets 1m0s, but the retry-until-success loop has no attempt limit and the parent context.TODO\(\) has no deadline`
		err = try(ctx)
		cancel()
	}
}

// A labelled break out of a select is the success exit; the ticker only paces.
func retryLabelled(parent context.Context, ok bool) {
	var base context.Context = context.Background()
	if ok {
		base = parent
	}
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
loop:
	for {
		select {
		case <-ticker.C:
			ctx, cancel := context.WithTimeout(base, 2*time.Second) // want `each attempt gets 2s, but the endless retry loop has no attempt limit and the parent context.Background\(\) may have no deadline`
			err := try(ctx)
			cancel()
			if err == nil {
				break loop
			}
		}
	}
}

// --- not reported ---

// The caller's context: its deadline and cancellation bound the loop.
func retryInherited(ctx context.Context) error {
	for {
		actx, cancel := context.WithTimeout(ctx, time.Second)
		err := try(actx)
		cancel()
		if err == nil {
			return nil
		}
	}
}

// An outer deadline on the parent bounds every attempt together.
func retryUnderDeadline() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		actx, cancel := context.WithTimeout(ctx, time.Second)
		err := try(actx)
		cancel()
		if err == nil {
			return nil
		}
	}
}

func boundedByCondition() (err error) {
	for attempt := 0; attempt < 3; attempt++ {
		actx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = try(actx)
		cancel()
		if err == nil {
			return nil
		}
	}
	return err
}

func boundedRange() (err error) {
	for range 5 {
		actx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = try(actx)
		cancel()
		if err == nil {
			return nil
		}
	}
	return err
}

// An attempt counter tested inside an endless loop.
func boundedCounter() error {
	attempts := 0
	for {
		actx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := try(actx)
		cancel()
		if err == nil {
			return nil
		}
		attempts++
		if attempts >= 5 {
			return err
		}
	}
}

// The counter lives in the post statement of a condition-less for.
func boundedPost() error {
	for i := 0; ; i++ {
		if i == 5 {
			return errors.New("giving up")
		}
		actx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := try(actx)
		cancel()
		if err == nil {
			return nil
		}
	}
}

// A look at the clock bounds the total.
func boundedByClock() error {
	start := time.Now()
	for {
		actx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := try(actx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Since(start) > time.Minute {
			return err
		}
	}
}

// A stop channel (or an overall timer) made before the loop.
func boundedByStop(stop <-chan struct{}) error {
	timeout := time.After(time.Minute)
	for {
		actx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := try(actx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-timeout:
			return err
		case <-stop:
			return err
		case <-time.After(time.Second):
		}
	}
}

// A cancellable (but deadline-free) parent the loop watches.
func boundedByCancel() error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for {
		actx, cancelAttempt := context.WithTimeout(ctx, time.Second)
		err := try(actx)
		cancelAttempt()
		if err == nil || ctx.Err() != nil {
			return err
		}
	}
}

// A retry helper decides when to give up.
func boundedByHelper() error {
	for n := 0; ; {
		actx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := try(actx)
		cancel()
		if err == nil || !retryBackoff(n) {
			return err
		}
	}
}

// A periodic worker: every round gets its own budget by design and the loop
// never exits on success.
func periodic(stop <-chan struct{}) {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = try(ctx)
		cancel()
		time.Sleep(time.Minute)
	}
}

// Per-item work over a stream: not a retry.
func perItem(jobs <-chan int) {
	for range jobs {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = try(ctx)
		cancel()
	}
}

// A closure in the loop may run once: the loop does not repeat its budget.
func closureInLoop(run func(func() error) error) error {
	for {
		err := run(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			return try(ctx)
		})
		if err == nil {
			return nil
		}
	}
}

// A background job launched with go: retrying until it succeeds is its
// purpose (the fresh context inside a goroutine is detached by design).
func startReconnect() {
	go func() {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := try(ctx)
			cancel()
			if err == nil {
				return
			}
			time.Sleep(time.Second)
		}
	}()
}
