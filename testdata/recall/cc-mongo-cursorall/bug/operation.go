// Recall case cc-mongo-cursorall
// Source: github.com/mongodb/mongo-go-driver commit 8f23bf48c0f314df27b228e6210d08757da2d789 (mongo/cursor.go)
// Link: https://github.com/mongodb/mongo-go-driver/commit/8f23bf48c0f314df27b228e6210d08757da2d789
// Bug: Cursor.All defers c.Close(ctx) with the caller ctx, so when All fails because that ctx was cancelled/expired (getMore error), the deferred Close -> BatchCursor.KillCursor runs with the already-cancelled ctx and the server-side cursor is never killed.
// Fix: defer c.Close(context.Background()) so the killCursors cleanup can complete even if the ctx passed to All has errored.
// Rule: cleanupctx
package mongo

// Minimal stand-in for go.mongodb.org/mongo-driver/x/mongo/driver Operation (no retries).

import (
	"context"
	"errors"
	"fmt"
)

// Error is a command execution error from the database.
type Error struct {
	Code    int32
	Message string
	Labels  []string
	Wrapped error
}

func (e Error) Error() string { return e.Message }

// Unwrap returns the underlying error.
func (e Error) Unwrap() error { return e.Wrapped }

// Operation is used to execute an operation.
type Operation struct {
	CommandFn         func(dst []byte) ([]byte, error)
	Database          string
	Deployment        Deployment
	ProcessResponseFn func(response []byte) error
}

// Execute runs this operation.
func (op Operation) Execute(ctx context.Context) error {
	if op.CommandFn == nil || op.Deployment == nil {
		return errors.New("the Operation must have a Deployment and CommandFn set before Execute can be called")
	}

	srvr, err := op.Deployment.SelectServer(ctx)
	if err != nil {
		return err
	}
	conn, err := srvr.Connection(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()

	cmd, err := op.CommandFn(nil)
	if err != nil {
		return err
	}
	wm := appendWireMessage(nil, cmd)

	if ctx.Err() != nil {
		return ctx.Err()
	}

	res, err := op.roundTrip(ctx, conn, wm)
	if err != nil {
		return err
	}
	if op.ProcessResponseFn != nil {
		return op.ProcessResponseFn(res)
	}
	return nil
}

func (op Operation) roundTrip(ctx context.Context, conn Connection, wm []byte) ([]byte, error) {
	err := conn.WriteWireMessage(ctx, wm)
	if err != nil {
		return nil, op.networkError(err)
	}
	wm, err = conn.ReadWireMessage(ctx)
	if err != nil {
		return nil, op.networkError(err)
	}
	return wm[4:], nil
}

func (op Operation) networkError(err error) error {
	if err == nil {
		return nil
	}
	return Error{Message: fmt.Sprintf("connection error: %v", err), Labels: []string{"NetworkError"}, Wrapped: err}
}
