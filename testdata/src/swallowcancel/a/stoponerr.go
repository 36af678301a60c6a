package a

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// runUntilNil stands in for a retry runner: a nil from op stops it.
func runUntilNil(ctx context.Context, op func() error) error {
	var err error
	for i := 0; i < 5; i++ {
		if err = op(); err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

// The operation stops the runner with nil when its query runs out of time
// and keeps only a message (bbgo's QueryTradesUntilSuccessfulLite before
// its fix): the deadline is gone.
func countRowsStopMessage(ctx context.Context, db *sql.DB) (int, error) {
	n := 0
	stopped := ""
	err := runUntilNil(ctx, func() error {
		err := db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n)
		if errors.Is(err, context.DeadlineExceeded) {
			stopped = "deadline exceeded while counting"
			return nil // want `returning nil when err is context.DeadlineExceeded tells the caller the work succeeded when it was abandoned`
		}
		return err
	})
	if stopped != "" {
		return 0, errors.New(stopped)
	}
	return n, err
}

// Negative: the nil only stops the runner; the deadline goes back wrapped
// in a variable the function returns (the fix).
func countRowsStopOnErr(ctx context.Context, db *sql.DB) (int, error) {
	n := 0
	var stopOnErr error
	err := runUntilNil(ctx, func() error {
		err := db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n)
		if errors.Is(err, context.DeadlineExceeded) {
			stopOnErr = fmt.Errorf("counting stopped on %w", err)
			return nil
		}
		return err
	})
	if stopOnErr != nil {
		return 0, stopOnErr
	}
	return n, err
}
