package ranges

import (
	"context"
	"errors"
	"sync"

	"example.com/workqueue"
)

// A function literal handed to a runner that calls it once per piece,
// sending its failure on a channel with fewer slots than pieces, read once
// after the runner returns (volcano's taintTolerationScore with
// workqueue.ParallelizeUntil; the fix gave errCh len(nodes) slots).

func parallelize(ctx context.Context, workers, pieces int, work func(piece int)) {
	next := make(chan int, pieces)
	for i := 0; i < pieces; i++ {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for p := range next {
				select {
				case <-ctx.Done():
					return
				default:
					work(p)
				}
			}
		}()
	}
	wg.Wait()
}

func check(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	return nil
}

func scoreAll(ctx context.Context, names []string) error {
	errCh := make(chan error, 1) // want `the function handed to parallelize runs once per piece and sends on this channel \(1 slot\) with a plain send, but nothing receives until parallelize returns`
	parallelize(ctx, 16, len(names), func(i int) {
		if err := check(names[i]); err != nil {
			errCh <- err
		}
	})
	select {
	case err := <-errCh:
		return err
	default:
	}
	return nil
}

// Fixed: a slot per piece.
func scoreAllFixed(ctx context.Context, names []string) error {
	errCh := make(chan error, len(names))
	parallelize(ctx, 16, len(names), func(i int) {
		if err := check(names[i]); err != nil {
			errCh <- err
		}
	})
	select {
	case err := <-errCh:
		return err
	default:
	}
	return nil
}

// The send gives up when the slot is taken: the first failure wins.
func scoreAllFirst(ctx context.Context, names []string) error {
	errCh := make(chan error, 1)
	parallelize(ctx, 16, len(names), func(i int) {
		if err := check(names[i]); err != nil {
			select {
			case errCh <- err:
			default:
			}
		}
	})
	select {
	case err := <-errCh:
		return err
	default:
	}
	return nil
}

// A runner that calls the function once: one send, one slot.
func runOnce(work func(piece int)) { work(0) }

func scoreOne(names []string) error {
	errCh := make(chan error, 1)
	runOnce(func(i int) {
		if err := check(names[i]); err != nil {
			errCh <- err
		}
	})
	select {
	case err := <-errCh:
		return err
	default:
	}
	return nil
}

// The runner in another package: its summary (a fact) says it calls the
// literal once per piece.
func scoreAllQueued(ctx context.Context, names []string) error {
	errCh := make(chan error, 1) // want `the function handed to ParallelizeUntil runs once per piece`
	workqueue.ParallelizeUntil(ctx, 16, len(names), func(i int) {
		if err := check(names[i]); err != nil {
			errCh <- err
		}
	})
	select {
	case err := <-errCh:
		return err
	default:
	}
	return nil
}
