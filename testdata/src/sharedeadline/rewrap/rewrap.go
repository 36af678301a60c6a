package rewrap

import (
	"context"
	"time"
)

type itemKey struct{}

func use(ctx context.Context) {}

// --- reported ---

func sameKey(ctx context.Context, items []string) {
	for _, it := range items {
		ctx = context.WithValue(ctx, itemKey{}, it) // want `context.WithValue wraps the context it produced on the previous iteration: budgets chain and values pile up on every pass; derive each iteration's context from the one outside the loop`
		use(ctx)
	}
}

func stringKey(ctx context.Context, items []string) {
	for _, it := range items {
		ctx = context.WithValue(ctx, "item", it) // want `context.WithValue wraps the context it produced on the previous iteration`
		use(ctx)
	}
}

func chainedTimeouts(ctx context.Context, n int) {
	for i := 0; i < n; i++ {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Second) // want `context.WithTimeout wraps the context it produced on the previous iteration`
		use(ctx)
		cancel()
	}
}

func chainedCancels(ctx context.Context, work []func(context.Context)) {
	for _, w := range work {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx) // want `context.WithCancel wraps the context it produced on the previous iteration`
		defer cancel()
		w(ctx)
	}
}

// --- not reported ---

// A different key each round attaches several values on purpose.
type tagKey string

func tags(ctx context.Context, kv map[string]string) context.Context {
	for k, v := range kv {
		ctx = context.WithValue(ctx, tagKey(k), v)
	}
	return ctx
}

func perIteration(ctx context.Context, items []string) {
	for _, it := range items {
		ictx := context.WithValue(ctx, itemKey{}, it)
		use(ictx)
	}
}

func perIterationTimeout(ctx context.Context, items []string) {
	for range items {
		ictx, cancel := context.WithTimeout(ctx, time.Second)
		use(ictx)
		cancel()
	}
}

func straightLine(ctx context.Context) {
	ctx = context.WithValue(ctx, itemKey{}, 1)
	ctx = context.WithValue(ctx, tagKey("a"), 2)
	use(ctx)
}
