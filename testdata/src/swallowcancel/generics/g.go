package generics

import (
	"context"
	"errors"
	"fmt"
	"time"
)

type Fetcher[T any] interface {
	Fetch(ctx context.Context) (T, error)
}

func first[T any](ctx context.Context, f Fetcher[T]) (T, error) {
	v, err := f.Fetch(ctx)
	if errors.Is(err, context.Canceled) {
		var zero T
		return zero, nil // want `returning nil when err is context.Canceled`
	}
	return v, err
}

type Cache[K comparable, V any] struct {
	ready chan struct{}
	m     map[K]V
}

func (c *Cache[K, V]) Get(ctx context.Context, k K) (V, error) {
	select {
	case <-c.ready:
		return c.m[k], nil
	case <-ctx.Done():
		var zero V
		return zero, nil // want `returning nil when ctx is done`
	}
}

func poll[T any](ctx context.Context, get func(context.Context) (T, error)) (T, error) {
	for {
		v, err := get(ctx)
		if err == nil {
			return v, nil
		}
		time.Sleep(time.Second) // get is a dynamic call with no summary: not judged
	}
}

func describe[E error](ctx context.Context, e E) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%v: %v", e, err) // want `%v formats err, which may be a context cancellation \(from ctx.Err\(\)\)`
	}
	return nil
}
