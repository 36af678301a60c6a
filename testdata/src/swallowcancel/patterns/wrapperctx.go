package patterns

import (
	"context"
	"errors"
)

// A context handed in inside a wrapper value, read back through a method
// that returns it (m3's index Context.GoContext()): the caller's, like a
// context parameter. m3's QueryWithIter returned its own sentinel when it
// was done.

var errCancelledQuery = errors.New("query was canceled")

type queryContext struct{ goCtx context.Context }

func (c queryContext) GoContext() context.Context { return c.goCtx }

func queryWithIter(ctx queryContext, next func() bool) error {
	for next() {
		select {
		case <-ctx.GoContext().Done():
			return errCancelledQuery // want `patterns.errCancelledQuery replaces ctx's cancellation when it is done`
		default:
		}
	}
	return nil
}

func queryWithIterFixed(ctx queryContext, next func() bool) error {
	for next() {
		select {
		case <-ctx.GoContext().Done():
			return ctx.GoContext().Err()
		default:
		}
	}
	return nil
}

// The object's own context (a receiver's) is its lifecycle: done means
// closed, and a closed error is the answer.
type ctxWorker struct{ ctx queryContext }

var errClosed = errors.New("worker closed")

func (w *ctxWorker) take(items <-chan int) (int, error) {
	select {
	case <-w.ctx.GoContext().Done():
		return 0, errClosed
	case v := <-items:
		return v, nil
	}
}
