package a

import (
	"context"
	"io"
	"time"
)

// Helpers of the package that take no context and sleep.

// BackoffManager is shaped like client-go's: Sleep takes no context.
type BackoffManager interface {
	CalculateBackoff(url string) time.Duration
	Sleep(d time.Duration)
}

type NoBackoff struct{}

func (NoBackoff) CalculateBackoff(string) time.Duration { return 0 }

func (NoBackoff) Sleep(d time.Duration) { time.Sleep(d) }

type retryRequest struct{ backoff BackoffManager }

func (r *retryRequest) before(ctx context.Context, url string) error {
	r.backoff.Sleep(r.backoff.CalculateBackoff(url)) // want `\(a.NoBackoff\).Sleep takes no context and sleeps with time.Sleep, so ctx's cancellation and deadline wait for the whole sleep: give it ctx and select on ctx.Done\(\) and time.After there`
	return ctx.Err()
}

func jitter(base time.Duration) {
	time.Sleep(base + time.Duration(time.Now().UnixNano()%100))
}

func settle(ctx context.Context, wait time.Duration) error {
	jitter(wait) // want `a.jitter takes no context and sleeps with time.Sleep`
	return ctx.Err()
}

// --- exemptions ---

func pause(d time.Duration) { time.Sleep(d) }

// A short constant pause given by the caller.
func shortPause(ctx context.Context) error {
	pause(20 * time.Millisecond)
	return ctx.Err()
}

// No caller's context in scope.
func noCtx(r *retryRequest) {
	r.backoff.Sleep(time.Second)
}

// A helper that takes the context can honour it.
func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func withCtx(ctx context.Context) {
	sleepCtx(ctx, time.Minute)
}

// An interface of another package: any type may implement io.Writer, a
// slow test writer among them.
type slowWriter struct{}

func (slowWriter) Write(p []byte) (int, error) {
	time.Sleep(time.Second)
	return len(p), nil
}

func flush(ctx context.Context, w io.Writer, p []byte) error {
	_, err := w.Write(p)
	return err
}

// A package variable that only tests change is its constant (net/http's
// rstAvoidanceDelay): a short pause.
var lingerDelay = 50 * time.Millisecond

func closeAndLinger() { time.Sleep(lingerDelay) }

func finish(ctx context.Context) error {
	closeAndLinger()
	return ctx.Err()
}

// A variable set elsewhere too is computed.
var backoffDelay = 50 * time.Millisecond

func SetBackoff(d time.Duration) { backoffDelay = d }

func waitBackoff() { time.Sleep(backoffDelay) }

func retryOnce(ctx context.Context) error {
	waitBackoff() // want `a.waitBackoff takes no context and sleeps with time.Sleep`
	return ctx.Err()
}
