package patterns

import (
	"context"
	"database/sql"
	"errors"
)

var errUnavailable = errors.New("server unavailable")

// A test inside the error branch that finds the context live on the way to
// the replacement (rpcx's client: if ctx.Err() != nil { return ctx.Err() };
// then its own error): no cancellation reaches it.
func execLive(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errUnavailable
	}
	return nil
}

// Without the test, the replacement hides the cancellation.
func execReplaced(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	if err != nil {
		return errUnavailable // want `patterns.errUnavailable replaces err, which may be a context cancellation`
	}
	return nil
}
