package a

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// results hands an abort error to its readers (flux's executionState).
type results struct {
	mu       sync.Mutex
	abortErr chan error
	err      error
}

func (r *results) abort(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.abortErr <- err
}

func (r *results) fail(err error) { r.err = err }

type execution struct{ results []*results }

func (e *execution) abort(err error) {
	for _, r := range e.results {
		r.abort(err)
	}
}

var errStopped = errors.New("stopped")

func (e *execution) do(ctx context.Context, finished <-chan struct{}) {
	go func() {
		select {
		case <-finished:
		case <-ctx.Done():
			e.abort(errors.New("context done")) // want `errors.New handed to e.abort\(\) in place of ctx's cancellation when it is done`
		}
	}()
}

func (e *execution) doErrorf(ctx context.Context, finished <-chan struct{}, r *results) {
	select {
	case <-finished:
	case <-ctx.Done():
		r.fail(fmt.Errorf("aborted: %v", "query")) // want `fmt.Errorf handed to r.fail\(\) in place of ctx's cancellation`
	}
}

// Not reported: the cancellation handed on, wrapped, or a sentinel (the
// object's own closed status, which readers test for).
func (e *execution) doRight(ctx context.Context, finished <-chan struct{}) {
	select {
	case <-finished:
	case <-ctx.Done():
		e.abort(ctx.Err())
	}
}

func (e *execution) doWrapped(ctx context.Context, finished <-chan struct{}) {
	select {
	case <-finished:
	case <-ctx.Done():
		e.abort(fmt.Errorf("query aborted: %w", ctx.Err()))
	}
}

func (e *execution) doSentinel(ctx context.Context, finished <-chan struct{}) {
	select {
	case <-finished:
	case <-ctx.Done():
		e.abort(errStopped)
	}
}

// Not reported: a context the function made is its own to end, and an
// error handed to a function that only logs it reports nothing.
func (e *execution) doOwned(finished <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	select {
	case <-finished:
	case <-ctx.Done():
		e.abort(errors.New("context done"))
	}
}

func logOnly(err error) { fmt.Println(err) }

func doLogged(ctx context.Context, finished <-chan struct{}) {
	select {
	case <-finished:
	case <-ctx.Done():
		logOnly(errors.New("context done"))
	}
}

// Not reported: handed over while the context is live.
func (e *execution) doFailed(ctx context.Context, c *http.Client, req *http.Request) {
	if _, err := c.Do(req.WithContext(ctx)); err != nil {
		e.abort(errors.New("request failed"))
	}
}
