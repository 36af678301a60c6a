// Recall case sc-clientgo-untilwithsync
// Source: github.com/kubernetes/client-go commit 21fffc1153f10ffcc3cfd6ef23f932b1547a57ed (tools/watch/until.go)
// Link: https://github.com/kubernetes/kubernetes/pull/114578
// Bug: UntilWithSync returns fmt.Errorf("UntilWithSync: unable to sync caches: %v", ctx.Err()) when WaitForCacheSync is stopped by ctx, so callers cannot errors.Is(err, context.DeadlineExceeded/Canceled).
// Fix: wrap the context error with %w instead of %v.
// Rule: swallowcancel

package watch

import (
	"context"
	"errors"
	"fmt"
)

// PreconditionFunc returns true if the condition has been reached, false if it has not been reached yet,
// or an error if the condition failed or detected an error state.
type PreconditionFunc func(store Store) (bool, error)

// ConditionFunc returns true if the condition has been reached, false if it has not been reached yet,
// or an error if the condition cannot be checked and should terminate.
type ConditionFunc func(event Event) (bool, error)

// ErrWatchClosed is returned when the watch channel is closed before timeout in UntilWithoutRetry.
var ErrWatchClosed = errors.New("watch closed before UntilWithoutRetry timeout")

// UntilWithSync creates an informer from lw, optionally checks precondition when the store is synced,
// and watches the output until each provided condition succeeds.
func UntilWithSync(ctx context.Context, lw ListerWatcher, objType Object, precondition PreconditionFunc, conditions ...ConditionFunc) (*Event, error) {
	indexer, informer, watcher, done := NewIndexerInformerWatcher(lw, objType)
	// We need to wait for the internal informers to fully stop so it's easier to reason about
	// and it works with non-thread safe clients.
	defer func() { <-done }()
	// Proxy watcher can be stopped multiple times so it's fine to use defer here to cover alternative branches and
	// let UntilWithoutRetry to stop it
	defer watcher.Stop()

	if precondition != nil {
		if !WaitForCacheSync(ctx.Done(), informer.HasSynced) {
			return nil, fmt.Errorf("UntilWithSync: unable to sync caches: %w", ctx.Err())
		}

		done, err := precondition(indexer)
		if err != nil {
			return nil, err
		}

		if done {
			return nil, nil
		}
	}

	return untilConditions(ctx, watcher, conditions...)
}

// untilConditions is reduction glue standing in for UntilWithoutRetry (not part of the fix).
func untilConditions(ctx context.Context, watcher Interface, conditions ...ConditionFunc) (*Event, error) {
	ch := watcher.ResultChan()
	var lastEvent *Event
	for _, condition := range conditions {
	ConditionSucceeded:
		for {
			select {
			case event, ok := <-ch:
				if !ok {
					return lastEvent, ErrWatchClosed
				}
				lastEvent = &event
				done, err := condition(event)
				if err != nil {
					return lastEvent, err
				}
				if done {
					break ConditionSucceeded
				}
			case <-ctx.Done():
				return lastEvent, ctx.Err()
			}
		}
	}
	return lastEvent, nil
}
