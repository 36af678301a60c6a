package a

import (
	"context"
	"errors"
	"log"
	"net/http"
)

// A failure tested for a cancellation, then handed with the same context
// to its handler (maestro's worker: the rollback got the operation's
// context, cancelled when the operation was): when the failure was the
// cancellation, the handler fails at once.
type operation struct{ status string }

type executor interface {
	Execute(ctx context.Context, op *operation) error
	OnError(ctx context.Context, op *operation, err error) error
}

type roomsExecutor struct{ hc *http.Client }

func (e *roomsExecutor) Execute(ctx context.Context, op *operation) error {
	return e.post(ctx, "https://example.com/rooms")
}

func (e *roomsExecutor) OnError(ctx context.Context, op *operation, err error) error {
	return e.post(ctx, "https://example.com/rooms/rollback")
}

func (e *roomsExecutor) post(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func runOperation(ctx context.Context, ex executor, op *operation) {
	opCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := ex.Execute(opCtx, op)
	if err != nil {
		op.status = "error"
		if errors.Is(err, context.Canceled) {
			op.status = "canceled"
		}
		if rerr := ex.OnError(opCtx, op, err); rerr != nil { // want `a.executor.OnError handles a failure that may be ctx's cancellation \(tested just above\) and is given that context \(derived from it, so done too\)`
			log.Printf("rollback failed: %v", rerr)
		}
	}
}

// The fix: the handler runs under a context the cancellation does not
// reach.
func runOperationFixed(ctx context.Context, ex executor, op *operation) {
	opCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := ex.Execute(opCtx, op)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			op.status = "canceled"
		}
		if rerr := ex.OnError(context.WithoutCancel(ctx), op, err); rerr != nil {
			log.Printf("rollback failed: %v", rerr)
		}
	}
}

// A cancellation ends the function before the handler: nothing to say.
func runOperationStops(ctx context.Context, ex executor, op *operation) error {
	err := ex.Execute(ctx, op)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return ex.OnError(ctx, op, err)
	}
	return nil
}

// Further work after the test, not handed the failure: failing at once is
// what the abandoned work should do.
func runThenLog(ctx context.Context, ex executor, op *operation) {
	err := ex.Execute(ctx, op)
	if errors.Is(err, context.Canceled) {
		op.status = "canceled"
	}
	_ = ex.Execute(ctx, op)
}

var _ executor = (*roomsExecutor)(nil)
