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
