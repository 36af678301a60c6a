package a

import (
	"context"
	"time"
)

// A sleep through a func parameter that every call of the package fills
// with time.Sleep (goreleaser's rateLimitChecker took sleepFn so that
// tests could pass a fake; production passed time.Sleep).

type limiter struct{ remaining int }

func (l *limiter) waitForReset(ctx context.Context, sleepFn func(time.Duration)) {
	if l.remaining > 0 || ctx.Err() != nil {
		return
	}
	reset := time.Duration(l.remaining+1) * time.Minute
	sleepFn(reset) // want `time.Sleep through sleepFn \(a computed duration\) ignores ctx: cancellation and deadlines wait for the whole sleep`
	l.waitForReset(ctx, sleepFn)
}

func (l *limiter) check(ctx context.Context, sleepFn func(time.Duration)) {
	l.waitForReset(ctx, sleepFn)
}

func (l *limiter) Release(ctx context.Context) {
	l.check(ctx, time.Sleep)
}

func (l *limiter) Tag(ctx context.Context) {
	l.waitForReset(ctx, time.Sleep)
}

// One call passes something else (a fake clock, a select): nothing is said.
func (l *limiter) pause(ctx context.Context, sleepFn func(time.Duration)) {
	sleepFn(time.Minute)
}

func (l *limiter) Pause(ctx context.Context) {
	l.pause(ctx, time.Sleep)
	l.pause(ctx, func(d time.Duration) {
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
	})
}

// A context carrier that embeds the context: a sleeper taking it takes a
// context and is judged where it sleeps, not at its calls.
type pipeline struct {
	context.Context
	name string
}

func (l *limiter) backoff(ctx *pipeline) {
	if ctx.Err() != nil {
		return
	}
	time.Sleep(time.Duration(l.remaining) * time.Second) // want `time.Sleep \(a computed duration\) ignores ctx`
}

func (l *limiter) Run(ctx *pipeline) {
	l.backoff(ctx)
}
