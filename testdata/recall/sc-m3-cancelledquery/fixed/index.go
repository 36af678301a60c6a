// Recall case sc-m3-cancelledquery
// Source: github.com/m3db/m3 commit 613bb26084f1a1244b353f54f4e0a0cf9d2988c0 (src/dbnode/storage/index/block.go)
// Link: https://github.com/m3db/m3/commit/613bb26084f1a1244b353f54f4e0a0cf9d2988c0
// Bug: block.QueryWithIter returns the package sentinel ErrCancelledQuery (errors.New) when ctx.GoContext() is done, and nsIndex.queryWithSpan adds the same sentinel when the worker pool refuses work, so context.Canceled/DeadlineExceeded is replaced by an unrelated error and ToRPCError reports an internal error instead of a timeout.
// Fix: QueryWithIter returns ctx.GoContext().Err(), queryWithSpan records context.Canceled and checks for Canceled/DeadlineExceeded, ErrCancelledQuery is removed, and ToRPCError maps context errors to a timeout error.
// Rule: swallowcancel
package index

import (
	gocontext "context"
	"errors"
	"sync"
	"time"
)

var errDbIndexUnableToQueryClosed = errors.New("unable to query database index, it is closed")

type asyncQueryExecState struct {
	sync.Mutex
	multiErr   MultiError
	exhaustive bool
}

type nsIndex struct {
	mu               sync.RWMutex
	closed           bool
	blocks           []*block
	queryWorkersPool *workerPool
	lastQueryRuntime time.Duration
}

func newNSIndex(blocks []*block, workers int) *nsIndex {
	return &nsIndex{blocks: blocks, queryWorkersPool: newWorkerPool(workers)}
}

// Query executes a query against all blocks of the namespace index (storage/index.go).
func (i *nsIndex) Query(ctx Context, opts QueryOptions) (*DocumentResults, bool, error) {
	results := &DocumentResults{}
	exhaustive, err := i.queryWithSpan(ctx, results, opts)
	if err != nil {
		return nil, false, err
	}
	return results, exhaustive, nil
}

func (i *nsIndex) queryWithSpan(ctx Context, results *DocumentResults, opts QueryOptions) (bool, error) {
	// Capture start before needing to acquire lock.
	start := time.Now()

	i.mu.RLock()
	if i.closed {
		i.mu.RUnlock()
		return false, errDbIndexUnableToQueryClosed
	}
	blocks := append([]*block(nil), i.blocks...)
	i.mu.RUnlock()

	var (
		// State contains concurrent mutable state for async execution below.
		state = asyncQueryExecState{
			exhaustive: true,
		}
		wg sync.WaitGroup
	)

	for _, block := range blocks {
		// Capture block for async query execution below.
		block := block

		if opts.LimitsExceeded(results.Size()) {
			state.Lock()
			state.exhaustive = false
			state.Unlock()
			// Break out if already not exhaustive.
			break
		}

		wg.Add(1)
		scheduleResult := i.queryWorkersPool.GoWithContext(ctx, func() {
			i.execBlockQueryFn(ctx, block, opts, &state, results)
			wg.Done()
		})
		if !scheduleResult.Available {
			state.Lock()
			state.multiErr = state.multiErr.Add(gocontext.Canceled)
			state.Unlock()
			// Did not launch task, need to ensure don't wait for it
			wg.Done()
			break
		}
	}

	// wait for all workers to finish. if the caller cancels the call, the workers will be interrupted and eventually
	// finish.
	wg.Wait()

	state.Lock()
	// Take reference to vars to return while locked.
	exhaustive := state.exhaustive
	multiErr := state.multiErr
	state.Unlock()
	err := multiErr.FinalError()

	if err != nil && !multiErr.Contains(gocontext.DeadlineExceeded) && !multiErr.Contains(gocontext.Canceled) {
		// an unexpected error occurred processing the query, bail without updating timing metrics.
		return false, err
	}

	// update timing metrics even if the query was canceled due to a timeout
	i.mu.Lock()
	i.lastQueryRuntime = time.Since(start)
	i.mu.Unlock()

	return exhaustive, err
}

func (i *nsIndex) execBlockQueryFn(
	ctx Context,
	block *block,
	opts QueryOptions,
	state *asyncQueryExecState,
	results *DocumentResults,
) {
	blockExhaustive, err := block.Query(ctx, opts, results)
	if err == ErrUnableToQueryBlockClosed {
		// NB(r): Because we query this block outside of the results lock, it's
		// possible this block may get closed if it slides out of retention, in
		// that case those results are no longer considered valid and outside of
		// retention regardless, so this is a non-issue.
		err = nil
	}

	state.Lock()
	defer state.Unlock()

	if err != nil {
		state.multiErr = state.multiErr.Add(err)
	}
	state.exhaustive = state.exhaustive && blockExhaustive
}
