package a

import (
	"context"
	"errors"
	"time"
)

type result struct {
	val string
	err error
}

func slow() result { return result{} }

func ctxDone(ctx context.Context) (string, error) {
	ch := make(chan result) // want `goroutine sends on this unbuffered channel, but the select stops waiting when ctx.Done\(\) fires: the goroutine then blocks forever \(a leak per timeout\); make it buffered: make\(chan result, 1\)`
	go func() { ch <- slow() }()
	select {
	case r := <-ch:
		return r.val, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func after() error {
	done := make(chan error) // want `when time.After fires`
	go func() {
		time.Sleep(time.Second)
		done <- nil
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(100 * time.Millisecond):
		return errors.New("timed out")
	}
}

func timer(d time.Duration) string {
	t := time.NewTimer(d)
	defer t.Stop()
	out := make(chan string) // want `when the Timer's C fires`
	go work(out)
	select {
	case s := <-out:
		return s
	case <-t.C:
		return ""
	}
}

func work(out chan string) { out <- "done" }

// --- exemptions ---

func buffered(ctx context.Context) (string, error) {
	ch := make(chan result, 1)
	go func() { ch <- slow() }()
	select {
	case r := <-ch:
		return r.val, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func senderGivesUp(ctx context.Context) (string, error) {
	ch := make(chan result)
	go func() {
		select {
		case ch <- slow():
		case <-ctx.Done():
		}
	}()
	select {
	case r := <-ch:
		return r.val, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func drained(ctx context.Context) (string, error) {
	ch := make(chan result)
	go func() { ch <- slow() }()
	select {
	case r := <-ch:
		return r.val, r.err
	case <-ctx.Done():
		go func() { <-ch }()
		return "", ctx.Err()
	}
}

func inLoop(ctx context.Context, tick *time.Ticker) string {
	ch := make(chan string)
	go func() { ch <- "x" }()
	for {
		select {
		case s := <-ch:
			return s
		case <-tick.C:
			// still waiting
		}
	}
}

func noTimeout(quit chan struct{}) string {
	ch := make(chan string)
	go func() { ch <- "x" }()
	select {
	case s := <-ch:
		return s
	case <-quit:
		return ""
	}
}
