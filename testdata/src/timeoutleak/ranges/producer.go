package ranges

import "context"

// A function that takes a context and returns a channel a goroutine feeds
// with plain sends in a loop (go-memdb's WatchSet.WatchCh): its callers
// stop reading once the context is done, and the goroutine blocks forever
// on its next send.

func waitOnce(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func watchCh(ctx context.Context) <-chan error {
	triggerCh := make(chan error)
	go func() {
		for {
			err := waitOnce(ctx)
			triggerCh <- err // want `this goroutine feeds the channel watchCh returns with a plain send and runs under ctx`
			if err != nil {
				return
			}
		}
	}()
	return triggerCh
}

// Fixed: one send, into a buffer of one.
func watchChFixed(ctx context.Context) <-chan error {
	triggerCh := make(chan error, 1)
	go func() {
		triggerCh <- waitOnce(ctx)
	}()
	return triggerCh
}

// Fixed the other way: the send gives up when the context is done.
func watchChSelect(ctx context.Context) <-chan error {
	triggerCh := make(chan error)
	go func() {
		for {
			err := waitOnce(ctx)
			select {
			case triggerCh <- err:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return triggerCh
}

// No context: the producer's contract is its callers' to keep (they drain
// until it closes).
func numbers(n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := range n {
			out <- i
		}
	}()
	return out
}

// A buffered channel leaves room for the send that reports the end (etcd's
// GetStream keeps one slot for its closing error): the callers' contract.
func streamBuffered(ctx context.Context, recv func() (int, error)) <-chan int {
	out := make(chan int, 1)
	go func() {
		defer close(out)
		for {
			v, err := recv()
			if err != nil || ctx.Err() != nil {
				return
			}
			out <- v
		}
	}()
	return out
}
