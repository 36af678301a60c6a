// Package generics holds unusual but valid code: generics, closures, method
// values, goto loops, nil contexts. Nothing here may panic the analyzer.
package generics

import (
	"context"
	"net"
	"time"
)

type Fetcher[T any] struct {
	fetch func(context.Context) (T, error)
}

// A generic method still ignores the caller's deadline.
func (f *Fetcher[T]) Get(ctx context.Context) (T, error) {
	qctx, cancel := context.WithTimeout(context.Background(), time.Second) // want `starts a fresh 1s budget that ignores ctx's deadline`
	defer cancel()
	return f.fetch(qctx)
}

func Map[T, U any](ctx context.Context, in []T, f func(context.Context, T) U) []U {
	out := make([]U, 0, len(in))
	for _, v := range in {
		ictx, cancel := context.WithTimeout(ctx, time.Second)
		out = append(out, f(ictx, v))
		cancel()
	}
	return out
}

func Nested[T any](ctx context.Context, v T) T {
	outer, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	inner, cancel2 := context.WithTimeout(outer, 2*time.Second) // want `inner budget 2s can never fire: its parent context already expires within 1s`
	defer cancel2()
	_ = inner
	return v
}

// A context typed by a type parameter is not one the fix can name.
func Typed[C context.Context](c C) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, _ = ctx, c
}

// Closures returned to the caller run later, outside this call: detached.
func deep(ctx context.Context) func() func() {
	return func() func() {
		return func() {
			qctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = qctx
		}
	}
}

// A function variable that SSA resolves to context.WithTimeout.
func methodValue(ctx context.Context) {
	wt := context.WithTimeout
	c, cancel := wt(context.Background(), time.Second) // want `starts a fresh 1s budget that ignores ctx's deadline`
	defer cancel()
	_ = c
}

// A goto loop has no for statement to judge.
func gotoLoop() error {
	var err error
again:
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	err = ctx.Err()
	cancel()
	if err != nil {
		goto again
	}
	return nil
}

func nilParent(ctx context.Context) {
	defer func() { recover() }()
	//lint:ignore SA1012 odd input on purpose
	c, cancel := context.WithTimeout(nil, time.Second)
	defer cancel()
	_ = c
}

func zeroDeadline(ctx context.Context) {
	c, cancel := context.WithDeadline(ctx, time.Time{})
	defer cancel()
	c2, cancel2 := context.WithTimeout(c, 0)
	defer cancel2()
	c3, cancel3 := context.WithTimeout(ctx, -time.Second)
	defer cancel3()
	_, _ = c2, c3
}

// Recursion through a retry.
func recurse(ctx context.Context, n int) error {
	if n == 0 {
		return nil
	}
	actx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return recurse(actx, n-1)
}

// A generic connection type.
func setDeadline[C interface{ SetDeadline(time.Time) error }](ctx context.Context, c C) {
	c.SetDeadline(time.Now().Add(time.Second))
}

func dialGeneric(ctx context.Context, dial func(string, string) (net.Conn, error)) {
	c, err := dial("tcp", "x:1")
	if err != nil {
		return
	}
	c.SetDeadline(time.Now().Add(time.Second))
}

// A loop whose body is only a labelled continue and a nested for.
func labelled(items [][]int) {
outer:
	for {
		for _, row := range items {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			cancel()
			if ctx.Err() == nil && len(row) == 0 {
				continue outer
			}
		}
		return
	}
}

// A method called on the zero value of a type parameter (go-openapi's
// strfmt.ISODuration[P]: `var p P; p.config()`): in the generic body the
// receiver is a constant, with no referrers.
type policy interface{ limit() time.Duration }

type Bounded[P policy] time.Duration

func (b Bounded[P]) Clamp(ctx context.Context) time.Duration {
	var p P
	if d := p.limit(); time.Duration(b) > d {
		return d
	}
	return time.Duration(b)
}
