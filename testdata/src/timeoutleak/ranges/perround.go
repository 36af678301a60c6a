package ranges

import (
	"context"
	"errors"
	"sync"
)

// One goroutine per round, each sending once: a plain send on its error
// path blocks when the range has returned early, even though its other
// send selects on a done channel (openfga's resolveDirectUserSet, whose fix
// sent every result through the select).

type result struct {
	found bool
	err   error
}

func lookup(ctx context.Context, key string) (bool, error) {
	if key == "" {
		return false, errors.New("empty key")
	}
	return key == "wanted", ctx.Err()
}

func anyFound(ctx context.Context, keys []string) error {
	done := make(chan struct{})
	defer close(done)
	var wg sync.WaitGroup
	c := make(chan result)
	for _, k := range keys {
		wg.Add(1)
		go func(c chan<- result) {
			defer wg.Done()
			found, err := lookup(ctx, k)
			if err != nil {
				c <- result{err: err}
				return
			}
			select {
			case c <- result{found: found}:
			case <-done:
			}
		}(c)
	}
	go func(c chan result) {
		wg.Wait()
		close(c)
	}(c)
	var err error
	for r := range c {
		if r.found {
			return nil // want `leaving the range over this channel early stops receiving from it, but the goroutine this function starts keeps sending on it with a plain send`
		}
		if r.err != nil {
			err = r.err
		}
	}
	return err
}

// Fixed: every send selects on done.
func anyFoundFixed(ctx context.Context, keys []string) error {
	done := make(chan struct{})
	defer close(done)
	var wg sync.WaitGroup
	c := make(chan result)
	for _, k := range keys {
		wg.Add(1)
		go func(c chan<- result) {
			defer wg.Done()
			found, err := lookup(ctx, k)
			select {
			case c <- result{found: found, err: err}:
			case <-done:
			}
		}(c)
	}
	go func(c chan result) {
		wg.Wait()
		close(c)
	}(c)
	var err error
	for r := range c {
		if r.found {
			return nil
		}
		if r.err != nil {
			err = r.err
		}
	}
	return err
}

// One goroutine, one plain send, a range that cannot be left early: no
// leak.
func singleLookup(ctx context.Context, key string) error {
	c := make(chan result)
	go func() {
		found, err := lookup(ctx, key)
		c <- result{found: found, err: err}
		close(c)
	}()
	var err error
	for r := range c {
		err = r.err
	}
	return err
}

// A buffer as large as the number of goroutines: every send lands.
func anyFoundBuffered(ctx context.Context, keys []string) error {
	var wg sync.WaitGroup
	c := make(chan result, len(keys))
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			found, err := lookup(ctx, k)
			c <- result{found: found, err: err}
		}()
	}
	go func() {
		wg.Wait()
		close(c)
	}()
	for r := range c {
		if r.found {
			return nil
		}
	}
	return nil
}
