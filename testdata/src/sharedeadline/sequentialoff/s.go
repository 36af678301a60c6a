package sequentialoff

import (
	"context"
	"time"
)

func stage(ctx context.Context) error { return ctx.Err() }

func twoStages(ctx context.Context) error {
	c1, cancel1 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel1()
	if err := stage(c1); err != nil {
		return err
	}
	c2, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	return stage(c2)
}

func oneBudget(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := stage(ctx); err != nil {
		return err
	}
	return stage(ctx)
}

func threeStages(ctx context.Context) error {
	c1, cancel1 := context.WithTimeout(ctx, 2*time.Second)
	defer cancel1()
	_ = stage(c1)
	c2, cancel2 := context.WithTimeout(ctx, 3*time.Second)
	defer cancel2()
	_ = stage(c2)
	c3, cancel3 := context.WithTimeout(ctx, time.Second)
	defer cancel3()
	return stage(c3)
}

// Alternatives, not a sequence.
func eitherStage(ctx context.Context, fast bool) error {
	if fast {
		c, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		return stage(c)
	}
	c, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return stage(c)
}

// Different parents: each stage is bounded by its own.
func differentParents(a, b context.Context) {
	c1, cancel1 := context.WithTimeout(a, time.Second)
	defer cancel1()
	c2, cancel2 := context.WithTimeout(b, time.Second)
	defer cancel2()
	_, _ = c1, c2
}

// Budgets from configuration are not summed.
func configured(ctx context.Context, d time.Duration) {
	c1, cancel1 := context.WithTimeout(ctx, d)
	defer cancel1()
	c2, cancel2 := context.WithTimeout(ctx, d)
	defer cancel2()
	_, _ = c1, c2
}
