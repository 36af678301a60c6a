// Recall case sc-m3-cancelledquery
// Source: github.com/m3db/m3 commit 613bb26084f1a1244b353f54f4e0a0cf9d2988c0 (src/dbnode/storage/index/block.go)
// Link: https://github.com/m3db/m3/commit/613bb26084f1a1244b353f54f4e0a0cf9d2988c0
// Bug: block.QueryWithIter returns the package sentinel ErrCancelledQuery (errors.New) when ctx.GoContext() is done, and nsIndex.queryWithSpan adds the same sentinel when the worker pool refuses work, so context.Canceled/DeadlineExceeded is replaced by an unrelated error and ToRPCError reports an internal error instead of a timeout.
// Fix: QueryWithIter returns ctx.GoContext().Err(), queryWithSpan records context.Canceled and checks for Canceled/DeadlineExceeded, ErrCancelledQuery is removed, and ToRPCError maps context errors to a timeout error.
// Rule: swallowcancel
package index

import (
	"errors"
	"math"
)

const defaultQueryDocsBatchSize = 256

var (
	// ErrUnableToQueryBlockClosed is returned when querying the block if closed.
	ErrUnableToQueryBlockClosed = errors.New("unable to query, index block is closed")
)

// QueryOptions is the reduced index.QueryOptions.
type QueryOptions struct {
	SeriesLimit int
}

// LimitsExceeded reports whether the series limit is exceeded.
func (o QueryOptions) LimitsExceeded(size int) bool {
	return o.SeriesLimit > 0 && size >= o.SeriesLimit
}

// docIterator iterates documents matched by the block's searcher.
type docIterator struct {
	docs []string
	idx  int
}

func (it *docIterator) Next() bool {
	if it.idx >= len(it.docs) {
		return false
	}
	it.idx++
	return true
}

func (it *docIterator) Current() string { return it.docs[it.idx-1] }

func (it *docIterator) Err() error { return nil }

type block struct {
	closed bool
	docs   []string
}

// Query resolves the given query into known IDs.
func (b *block) Query(ctx Context, opts QueryOptions, results *DocumentResults) (bool, error) {
	return b.queryWithSpan(ctx, opts, results)
}

func (b *block) queryWithSpan(ctx Context, opts QueryOptions, results *DocumentResults) (bool, error) {
	if b.closed {
		return false, ErrUnableToQueryBlockClosed
	}
	iter := &docIterator{docs: b.docs}
	if err := b.QueryWithIter(ctx, opts, iter, results, math.MaxInt64); err != nil {
		return false, err
	}
	return !opts.LimitsExceeded(results.Size()), nil
}

// QueryWithIter processes n docs from the iterator into known IDs.
func (b *block) QueryWithIter(
	ctx Context,
	opts QueryOptions,
	docIter *docIterator,
	results *DocumentResults,
	limit int,
) error {
	var (
		size      = results.Size()
		batch     = make([]string, 0, defaultQueryDocsBatchSize)
		batchSize = cap(batch)
		count     int
	)

	for count < limit && docIter.Next() {
		count++
		if opts.LimitsExceeded(size) {
			break
		}

		// the caller (nsIndex) has canceled this before the query has timed out.
		// only check once per batch to limit the overhead. worst case nsIndex will need to wait for an additional batch
		// to be processed after the query timeout. we check when the batch is empty to cover 2 cases, the initial doc
		// when includes the search time, and subsequent batch resets.
		if len(batch) == 0 {
			select {
			case <-ctx.GoContext().Done():
				// indexNs will log something useful.
				return ctx.GoContext().Err()
			default:
			}
		}

		batch = append(batch, docIter.Current())
		if len(batch) < batchSize {
			continue
		}

		size = results.AddDocuments(batch)
		batch = batch[:0]
	}
	if err := docIter.Err(); err != nil {
		return err
	}

	// Add last batch to results if remaining.
	if len(batch) > 0 {
		results.AddDocuments(batch)
	}

	return nil
}
