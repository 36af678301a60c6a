package patterns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

var errAborted = errors.New("aborted")

// Where err is known to be a cancellation, the variable is given another
// value that is then returned.

func clearCanceled(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	if errors.Is(err, context.Canceled) {
		err = nil // want `this assignment puts nil in err where err is context.Canceled, and err is then returned`
	}
	return err
}

func abortOnCancel(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	if errors.Is(err, context.Canceled) {
		err = errAborted // want `this assignment puts patterns.errAborted in err where err is context.Canceled`
	}
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

// icinga's WithBackoff: a named result kept in memory (there is a defer),
// given the previous attempt's error in place of the cancellation.
func withBackoff(ctx context.Context, db *sql.DB) (err error) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		prevErr := err
		if _, err = db.ExecContext(ctx, "SELECT 1"); err == nil {
			return
		}
		if prevErr != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
			err = prevErr // want `this assignment puts another error in err where err is a context cancellation, and err is then returned`
		}
		select {
		case <-time.After(time.Second):
		case <-t.C:
			return fmt.Errorf("retry deadline exceeded: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("can't retry: %w", err)
		}
	}
}

// Negatives.

// The fix: the cancellation is kept, with the previous error as context.
func withBackoffFixed(ctx context.Context, db *sql.DB) (err error) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		prevErr := err
		if _, err = db.ExecContext(ctx, "SELECT 1"); err == nil {
			return
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			if prevErr != nil {
				err = errors.Join(err, prevErr)
			}
			return
		}
		select {
		case <-time.After(time.Second):
		case <-t.C:
			return fmt.Errorf("retry deadline exceeded: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("can't retry: %w", ctx.Err())
		}
	}
}

// Wrapped with %w, the cancellation is still there.
func annotateCanceled(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	if errors.Is(err, context.Canceled) {
		err = fmt.Errorf("delete interrupted: %w", err)
	}
	return err
}

// The new value is only logged, never returned.
func noteCanceled(ctx context.Context, db *sql.DB, log func(error)) error {
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	if errors.Is(err, context.Canceled) {
		err = errAborted
		log(err)
		return ctx.Err()
	}
	return err
}

// An owner of the cancellation may absorb it.
func clearOwnCancel(parent context.Context, db *sql.DB) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// An error of unknown origin (a watcher's Close, whose streams it cancels
// itself): only the plain return would be judged.
func closeStreams(closers []func() error) (err error) {
	for _, c := range closers {
		if cerr := c(); cerr != nil {
			err = cerr
		}
	}
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// Another package's error value in its place: a translation for the wire
// (etcd's watch server answers rpctypes.ErrGRPCWatchCanceled, a gRPC
// status).
func watchDone(ctx context.Context) error {
	err := ctx.Err()
	if errors.Is(err, context.Canceled) {
		err = sql.ErrConnDone
	}
	return err
}
