// Recall case sc-storj-ratelimitwait
// Source: github.com/storj/storj commit 80b41af8f162cf2610522df95616032cd98866fb (satellite/metainfo/loop.go)
// Link: https://github.com/storj/storj/commit/80b41af8f162cf2610522df95616032cd98866fb
// Bug: In iterateDatabase, when rateLimiter.Wait(ctx) fails because the context was cancelled, the error is replaced by LoopError.New("... %s", err), a new error that no longer matches context.Canceled, so callers and observers see an "unexpected" failure instead of the cancellation.
// Fix: The rate-limiter error is returned as LoopError.Wrap(err), keeping the context error in the chain.
// Rule: swallowcancel
package metainfo

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// errClass stands in for github.com/zeebo/errs.Class.
type errClass string

// New formats a fresh error of this class (the cause is only stringified).
func (c errClass) New(format string, args ...interface{}) error {
	return fmt.Errorf("%s: %s", string(c), fmt.Sprintf(format, args...))
}

// Wrap wraps err in this class, keeping it in the chain.
func (c errClass) Wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", string(c), err)
}

// LoopError is a standard error class for this component.
var LoopError = errClass("metainfo loop error")

// Limiter stands in for golang.org/x/time/rate.Limiter with burst 1.
type Limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

// NewLimiter returns a limiter allowing one event per interval.
func NewLimiter(interval time.Duration) *Limiter { return &Limiter{interval: interval} }

// Wait blocks until the next event is allowed or ctx is done.
func (l *Limiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	delay := l.next.Sub(now)
	l.next = l.next.Add(l.interval)
	l.mu.Unlock()

	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ListItem is a key/value returned by an iterator.
type ListItem struct {
	Key   string
	Value []byte
}

// Iterator iterates over a sequence of ListItems.
type Iterator interface {
	Next(ctx context.Context, item *ListItem) bool
}

// PointerDB stands in for the metainfo pointer database.
type PointerDB interface {
	Iterate(ctx context.Context, fn func(context.Context, Iterator) error) error
}

type sqlPointerDB struct{ db *sql.DB }

type rowsIterator struct{ rows *sql.Rows }

func (it *rowsIterator) Next(ctx context.Context, item *ListItem) bool {
	if !it.rows.Next() {
		return false
	}
	return it.rows.Scan(&item.Key, &item.Value) == nil
}

func (p *sqlPointerDB) Iterate(ctx context.Context, fn func(context.Context, Iterator) error) error {
	rows, err := p.db.QueryContext(ctx, `SELECT fullpath, metadata FROM pathdata ORDER BY fullpath`)
	if err != nil {
		return err
	}
	defer rows.Close()
	return fn(ctx, &rowsIterator{rows: rows})
}

// Pointer stands in for pb.Pointer.
type Pointer struct {
	SegmentSize int64 `json:"segment_size"`
}

// ScopedPath contains the parsed path of a segment.
type ScopedPath struct {
	Raw                 string
	ProjectIDString     string
	Segment             string
	BucketName          string
	EncryptedObjectPath string
}

// Observer is an interface defining an observer that can subscribe to the metainfo loop.
type Observer interface {
	Object(context.Context, ScopedPath, *Pointer) error
}

type observerContext struct {
	observer Observer
	done     chan error
}

func (observer *observerContext) HandleError(err error) bool {
	if err != nil {
		observer.done <- err
		close(observer.done)
		return true
	}
	return false
}

func (observer *observerContext) Finish() {
	close(observer.done)
}

func finishObservers(observers []*observerContext) {
	for _, observer := range observers {
		observer.Finish()
	}
}

func handlePointer(ctx context.Context, observer *observerContext, path ScopedPath, pointer *Pointer) bool {
	return !observer.HandleError(observer.observer.Object(ctx, path, pointer))
}

func iterateDatabase(ctx context.Context, db PointerDB, observers []*observerContext, rateLimiter *Limiter) (err error) {
	defer func() {
		if err != nil {
			for _, observer := range observers {
				observer.HandleError(err)
			}
			return
		}
		finishObservers(observers)
	}()

	err = db.Iterate(ctx,
		func(ctx context.Context, it Iterator) error {
			var item ListItem

			// iterate over every segment in metainfo
		nextSegment:
			for it.Next(ctx, &item) {
				if err := rateLimiter.Wait(ctx); err != nil {
					// We don't really execute concurrent batches so we should never
					// exceed the burst size of 1 and this should never happen.
					return LoopError.New("unexpected error rate limiting metainfo loop %s", err)
				}

				rawPath := item.Key
				pointer := &Pointer{}

				err := json.Unmarshal(item.Value, pointer)
				if err != nil {
					return LoopError.New("unexpected error unmarshalling pointer %s", err)
				}

				pathElements := strings.Split(rawPath, "/")

				if len(pathElements) < 4 {
					// We skip this path because it belongs to bucket metadata, not to an
					// actual object
					continue nextSegment
				}

				path := ScopedPath{
					Raw:                 rawPath,
					ProjectIDString:     pathElements[0],
					Segment:             pathElements[1],
					BucketName:          pathElements[2],
					EncryptedObjectPath: strings.Join(pathElements[3:], "/"),
				}

				nextObservers := observers[:0]
				for _, observer := range observers {
					keepObserver := handlePointer(ctx, observer, path, pointer)
					if keepObserver {
						nextObservers = append(nextObservers, observer)
					}
				}

				observers = nextObservers
				if len(observers) == 0 {
					return nil
				}

				// if context has been canceled exit. Otherwise, continue
				select {
				case <-ctx.Done():
					return ctx.Err()
				default:
				}
			}
			return nil
		})
	return err
}
