package sequential

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
	c2, cancel2 := context.WithTimeout(ctx, 5*time.Second) // want `this stage gets a fresh 5s from the same parent as the previous stage's 5s: together they may take 10s`
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
