// Package ranges: ranges over channels fed by goroutines, left early. It
// imports neither context nor the network: starting goroutines and ranging
// over a channel is enough to be judged.
package ranges

import "errors"

// --- reported ---

// produce returns a channel its goroutine feeds with every value.
func produce(n int) chan int {
	ch := make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			ch <- i
		}
		close(ch)
	}()
	return ch
}

func firstAbove(n, limit int) (int, error) {
	for v := range produce(n) {
		if v > limit {
			return v, nil // want `leaving the range over this channel early stops receiving from it, but the goroutine that produce starts keeps sending on it with a plain send: the sender blocks forever`
		}
	}
	return 0, errors.New("none")
}

// A constant buffer fills too: the sender sends an unknown number.
func walk(keys []string, fn func(string) error) error {
	ch := make(chan string, 1)
	go func() {
		defer close(ch)
		for _, k := range keys {
			ch <- k
		}
	}()
	for k := range ch {
		if err := fn(k); err != nil {
			return err // want `leaving the range over this channel early stops receiving from it, but the goroutine this function starts keeps sending`
		}
	}
	return nil
}

// A break leaves the same way (reported at the range).
func untilEmpty(keys []string) int {
	ch := make(chan string)
	go func() {
		for _, k := range keys {
			ch <- k
		}
		close(ch)
	}()
	n := 0
	for k := range ch { // want `leaving the range over this channel early`
		if k == "" {
			break
		}
		n++
	}
	return n
}

// --- not reported ---

// The fix: drain what is left so the sender can finish.
func walkDrained(keys []string, fn func(string) error) error {
	ch := make(chan string, 1)
	go func() {
		defer close(ch)
		for _, k := range keys {
			ch <- k
		}
	}()
	var err error
	for k := range ch {
		if err != nil {
			continue
		}
		err = fn(k)
	}
	return err
}

// The sender can give up: it selects on a done channel the range closes.
func walkDone(keys []string, fn func(string) error) error {
	ch := make(chan string)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(ch)
		for _, k := range keys {
			select {
			case ch <- k:
			case <-done:
				return
			}
		}
	}()
	for k := range ch {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}

// A buffer sized for every value: the sender never blocks.
func walkSized(keys []string, fn func(string) error) error {
	ch := make(chan string, len(keys))
	go func() {
		defer close(ch)
		for _, k := range keys {
			ch <- k
		}
	}()
	for k := range ch {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}

// One value sent, none left to block on after it is received.
func single(fn func() int) int {
	ch := make(chan int)
	go func() {
		ch <- fn()
		close(ch)
	}()
	for v := range ch {
		if v > 0 {
			return v
		}
	}
	return 0
}

// A range that runs to the end.
func sum(n int) int {
	total := 0
	for v := range produce(n) {
		total += v
	}
	return total
}
