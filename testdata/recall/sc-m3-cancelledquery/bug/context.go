// Recall case sc-m3-cancelledquery
// Source: github.com/m3db/m3 commit 613bb26084f1a1244b353f54f4e0a0cf9d2988c0 (src/dbnode/storage/index/block.go)
// Link: https://github.com/m3db/m3/commit/613bb26084f1a1244b353f54f4e0a0cf9d2988c0
// Bug: block.QueryWithIter returns the package sentinel ErrCancelledQuery (errors.New) when ctx.GoContext() is done, and nsIndex.queryWithSpan adds the same sentinel when the worker pool refuses work, so context.Canceled/DeadlineExceeded is replaced by an unrelated error and ToRPCError reports an internal error instead of a timeout.
// Fix: QueryWithIter returns ctx.GoContext().Err(), queryWithSpan records context.Canceled and checks for Canceled/DeadlineExceeded, ErrCancelledQuery is removed, and ToRPCError maps context errors to a timeout error.
// Rule: swallowcancel
package index

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Context is the reduced m3 x/context.Context: it carries a Go context.
type Context struct {
	goCtx context.Context
}

// NewContextWithGoContext wraps a Go context.
func NewContextWithGoContext(goCtx context.Context) Context {
	return Context{goCtx: goCtx}
}

// GoContext returns the Go context.
func (c Context) GoContext() context.Context { return c.goCtx }

// MultiError is the reduced m3 x/errors.MultiError.
type MultiError struct {
	errors []error
}

// Add adds an error and returns a new MultiError.
func (e MultiError) Add(err error) MultiError {
	if err == nil {
		return e
	}
	return MultiError{errors: append(append([]error(nil), e.errors...), err)}
}

// FinalError returns nil, the single error, or a joined error.
func (e MultiError) FinalError() error {
	switch len(e.errors) {
	case 0:
		return nil
	case 1:
		return e.errors[0]
	default:
		return errors.Join(e.errors...)
	}
}

// Contains reports whether any of the errors is err.
func (e MultiError) Contains(err error) bool {
	for _, x := range e.errors {
		if errors.Is(x, err) {
			return true
		}
	}
	return false
}

// ScheduleResult is the result of scheduling work on a worker pool.
type ScheduleResult struct {
	Available bool
	WaitTime  time.Duration
}

// workerPool is the reduced m3 x/sync.PooledWorkerPool (GoWithContext only).
type workerPool struct {
	tokens chan struct{}
}

func newWorkerPool(size int) *workerPool {
	return &workerPool{tokens: make(chan struct{}, size)}
}

// GoWithContext waits for a free worker or for ctx to be done.
func (p *workerPool) GoWithContext(ctx Context, work func()) ScheduleResult {
	start := time.Now()
	select {
	case p.tokens <- struct{}{}:
	case <-ctx.GoContext().Done():
		return ScheduleResult{Available: false, WaitTime: time.Since(start)}
	}
	go func() {
		defer func() { <-p.tokens }()
		work()
	}()
	return ScheduleResult{Available: true, WaitTime: time.Since(start)}
}

// DocumentResults is the reduced index.DocumentResults.
type DocumentResults struct {
	mu   sync.Mutex
	docs []string
}

// Size returns the number of collected documents.
func (r *DocumentResults) Size() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.docs)
}

// AddDocuments appends documents.
func (r *DocumentResults) AddDocuments(batch []string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.docs = append(r.docs, batch...)
	return len(r.docs)
}
