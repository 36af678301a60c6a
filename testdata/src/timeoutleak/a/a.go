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

// A stop channel leaks the same way as a timeout: the goroutine is left
// sending to nobody.
func stopCase(quit chan struct{}) string {
	ch := make(chan string) // want `when case <-quit is chosen and the channel is not drained: the goroutine then blocks forever \(a leak each time\); make it buffered: make\(chan string, 1\)`
	go func() { ch <- "x" }()
	select {
	case s := <-ch:
		return s
	case <-quit:
		return ""
	}
}

// moby's health monitor (moby/moby 67297ba): a channel per round; the
// timeout case drains it, the stop case does not.
func monitor(stop chan struct{}, probe func(context.Context) string) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Second):
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			results := make(chan string) // want `when case <-stop is chosen`
			go func() {
				results <- probe(ctx)
				close(results)
			}()
			select {
			case <-stop:
				cancel()
				return
			case r := <-results:
				_ = r
				cancel()
			case <-ctx.Done():
				cancel()
				<-results
			}
		}
	}
}

// Going round again makes a new channel and abandons the old one.
func nextRound(tick *time.Ticker, jobs []string) {
	for _, j := range jobs {
		out := make(chan string) // want `when the Ticker's C fires`
		go func() { out <- j }()
		select {
		case <-out:
		case <-tick.C:
			continue
		}
	}
}

// Breaking out of the loop that would have received again.
func breakOut(tick *time.Ticker, give func() bool) string {
	ch := make(chan string) // want `when the Ticker's C fires`
	go func() { ch <- "x" }()
	for {
		select {
		case s := <-ch:
			return s
		case <-tick.C:
			if give() {
				return ""
			}
		}
	}
}

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

// The goroutine sends on one of two channels: a case on the other means it
// has finished.
func resultOrError(f func() (int, error)) (int, error) {
	res := make(chan int)
	errs := make(chan error)
	go func() {
		v, err := f()
		if err != nil {
			errs <- err
			return
		}
		res <- v
	}()
	select {
	case v := <-res:
		return v, nil
	case err := <-errs:
		return 0, err
	}
}

// Every case that stops waiting drains the channel first.
func drainedOnEveryPath(ctx context.Context, stop chan struct{}) string {
	ch := make(chan string)
	go func() { ch <- "x" }()
	select {
	case s := <-ch:
		return s
	case <-stop:
		<-ch
		return ""
	case <-ctx.Done():
		return <-ch
	}
}

// A producer sends many values: a buffer of one is no fix, but the context
// the producer can see is.
func producer(ctx context.Context, items []string) string {
	ch := make(chan string) // want `goroutines send on this channel with plain sends, more than once each`
	go func() {
		for _, it := range items {
			ch <- it
		}
		close(ch)
	}()
	select {
	case s := <-ch:
		return s
	case <-ctx.Done():
		return ""
	}
}

// Two sends on one path: a buffer of one still leaves the second stuck.
func twoSends(ctx context.Context) string {
	ch := make(chan string) // want `goroutines send on this channel with plain sends, more than once each`
	go func() {
		ch <- "a"
		ch <- "b"
	}()
	select {
	case s := <-ch:
		return s
	case <-ctx.Done():
		return ""
	}
}
