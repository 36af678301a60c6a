package a

import (
	"context"
	"net/http"
	"time"
)

func ready() bool { return true }

func poll(ctx context.Context) error {
	for !ready() {
		time.Sleep(100 * time.Millisecond) // want `time.Sleep \(in a loop that can go round without consulting a context\) ignores ctx: cancellation and deadlines wait for the whole sleep; select on ctx.Done\(\) and time.After instead`
	}
	return nil
}

func long(ctx context.Context) (int, string, error) {
	time.Sleep(5 * time.Second) // want `time.Sleep \(5s\) ignores ctx`
	return 1, "", nil
}

func backoff(ctx context.Context, attempt int) {
	time.Sleep(time.Duration(attempt) * time.Second) // want `time.Sleep \(a computed duration\) ignores ctx`
}

func handler(w http.ResponseWriter, r *http.Request) {
	time.Sleep(2 * time.Second) // want `time.Sleep \(2s\) ignores r.Context\(\)`
}

func inClosure(ctx context.Context) {
	go func() {
		time.Sleep(time.Minute) // want `time.Sleep \(1m0s\) ignores ctx`
	}()
}

// --- exemptions ---

func noContext() {
	time.Sleep(time.Minute)
}

func shortOnce(ctx context.Context) error {
	time.Sleep(10 * time.Millisecond)
	return ctx.Err()
}

func loopConsults(ctx context.Context) error {
	for !ready() {
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

func loopPassesContext(ctx context.Context, check func(context.Context) bool) {
	for !check(ctx) {
		time.Sleep(50 * time.Millisecond)
	}
}
