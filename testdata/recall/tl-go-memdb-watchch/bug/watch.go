// Recall case tl-go-memdb-watchch
// Source: github.com/hashicorp/go-memdb commit d3993e31c280ee1ea3e59b11ddfe3f83938dd2da (watch.go)
// Link: https://github.com/hashicorp/go-memdb/commit/d3993e31c280ee1ea3e59b11ddfe3f83938dd2da
// Bug: WatchSet.WatchCh starts a goroutine that loops WatchCtx and sends each result on an unbuffered triggerCh; once the caller stops reading (timed out / returned after the first trigger) the goroutine blocks forever on the send.
// Fix: triggerCh is buffered (cap 1) and the goroutine sends exactly one WatchCtx result, then exits.
// Rule: timeoutleak
package memdb

import (
	"context"
)

// WatchSet is a collection of watch channels.
type WatchSet map[<-chan struct{}]struct{}

// NewWatchSet constructs a new watch set.
func NewWatchSet() WatchSet {
	return make(map[<-chan struct{}]struct{})
}

// Add appends a watchCh to the WatchSet if non-nil.
func (w WatchSet) Add(watchCh <-chan struct{}) {
	if w == nil {
		return
	}

	if _, ok := w[watchCh]; !ok {
		w[watchCh] = struct{}{}
	}
}

// WatchCtx is used to wait for either the watch set to trigger or for the
// context to be cancelled. Watch with a timeout channel can be mimicked by
// creating a context with a deadline. WatchCtx should be preferred over Watch.
func (w WatchSet) WatchCtx(ctx context.Context) error {
	if w == nil {
		return nil
	}

	if n := len(w); n <= aFew {
		idx := 0
		chunk := make([]<-chan struct{}, aFew)
		for watchCh := range w {
			chunk[idx] = watchCh
			idx++
		}
		return watchFew(ctx, chunk)
	}

	return w.watchMany(ctx)
}

// watchMany is used if there are many watchers.
func (w WatchSet) watchMany(ctx context.Context) error {
	// Set up a goroutine for each watcher.
	triggerCh := make(chan struct{}, 1)
	watcher := func(chunk []<-chan struct{}) {
		if err := watchFew(ctx, chunk); err == nil {
			select {
			case triggerCh <- struct{}{}:
			default:
			}
		}
	}

	// Apportion the watch channels into chunks we can feed into the
	// watchFew helper.
	idx := 0
	chunk := make([]<-chan struct{}, aFew)
	for watchCh := range w {
		subIdx := idx % aFew
		chunk[subIdx] = watchCh
		idx++

		// Fire off this chunk and start a fresh one.
		if idx%aFew == 0 {
			go watcher(chunk)
			chunk = make([]<-chan struct{}, aFew)
		}
	}

	// Make sure to watch any residual channels in the last chunk.
	if idx%aFew != 0 {
		go watcher(chunk)
	}

	// Wait for a channel to trigger or timeout.
	select {
	case <-triggerCh:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WatchChan returns a channel that is used to wait for either the watch set
// to trigger or for the context to be cancelled.
func (w WatchSet) WatchCh(ctx context.Context) <-chan error {
	// Create the outgoing channel
	triggerCh := make(chan error)

	// Create a goroutine to collect the errors from WatchCtx
	go func() {
		for {
			err := w.WatchCtx(ctx)
			triggerCh <- err

			// Exit function if context is cancelled
			if err != nil {
				return
			}
		}
	}()

	return triggerCh
}
