// Package grpcstatus: a cancellation turned into a gRPC status with the
// matching code is the protocol's own spelling of it (grpc-go's toRPCErr);
// turned into any other error it is replaced.
package grpcstatus

import (
	"context"
	"database/sql"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var (
	errContextDeadline = status.Error(codes.DeadlineExceeded, context.DeadlineExceeded.Error())
	errContextCanceled = status.Error(codes.Canceled, context.Canceled.Error())
	errUnavailable     = status.Error(codes.Unavailable, "unavailable")
	errTimeout         = errors.New("timed out")
)

func toRPCErr(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return errContextDeadline
	case errors.Is(err, context.Canceled):
		return errContextCanceled
	}
	return err
}

func toUnavailable(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if errors.Is(err, context.DeadlineExceeded) {
		return errUnavailable // want `grpcstatus.errUnavailable replaces err, which is context.DeadlineExceeded`
	}
	return err
}

func toTimeout(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if errors.Is(err, context.DeadlineExceeded) {
		return errTimeout // want `grpcstatus.errTimeout replaces err, which is context.DeadlineExceeded`
	}
	return err
}

// streamError carries a stream's failure; it has no Unwrap method.
type streamError struct {
	Err   error
	Retry bool
}

func (e *streamError) Error() string { return e.Err.Error() }

// contextErr translates a context's error into a status (grpc-go's
// transport.ContextErr).
func contextErr(err error) error {
	switch err {
	case context.DeadlineExceeded:
		return status.Error(codes.DeadlineExceeded, err.Error())
	case context.Canceled:
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Unavailable, err.Error())
}

// The literal keeps the cancellation, translated, in a field: carried in
// the package's own terms (grpc-go's NewStreamError{Err: ContextErr(…)}).
func newStream(ctx context.Context, quota chan struct{}) error {
	select {
	case <-quota:
		return nil
	case <-ctx.Done():
		return &streamError{Err: contextErr(ctx.Err())}
	}
}

// A literal that keeps nothing of it replaces it.
func newStreamLost(ctx context.Context, quota chan struct{}) error {
	select {
	case <-quota:
		return nil
	case <-ctx.Done():
		return &streamError{Err: errUnavailable, Retry: true} // want `a \*grpcstatus.streamError literal replaces ctx's cancellation when it is done`
	}
}
