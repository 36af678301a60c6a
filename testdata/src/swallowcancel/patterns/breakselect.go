package patterns

import (
	"context"
	"database/sql"
	"time"
)

// A break in a select leaves the select, not the loop (p2's
// CommitWithRetries): once ctx is done the commit is retried for ever.
func commitWithRetries(ctx context.Context, db *sql.DB) error {
	var err error
	commit := func() error {
		_, err = db.ExecContext(ctx, "COMMIT")
		return err
	}
	backoff := 100 * time.Millisecond
	for err := commit(); err != nil; err = commit() {
		select {
		case <-ctx.Done():
			break // want `this break leaves only the select, not the loop, so the loop goes round again after ctx is done and never ends: return ctx.Err\(\) \(or break to a label on the loop\)`
		default:
		}
		backoff *= 2
		time.Sleep(backoff)
	}
	return err
}

// The same check with nothing in the case: go/ssa folds the case into the
// code after the select.
func commitNonBlocking(ctx context.Context, db *sql.DB) error {
	for {
		if _, err := db.ExecContext(ctx, "COMMIT"); err == nil {
			return nil
		}
		select {
		case <-ctx.Done(): // want `this case <-ctx.Done\(\) does nothing, so the loop goes round again after ctx is done: return ctx.Err\(\)`
		default:
		}
		time.Sleep(time.Second)
	}
}

// Negatives.

// The fix: a return inside a literal run on the spot.
func commitWithRetriesFixed(ctx context.Context, db *sql.DB) error {
	var err error
	commit := func() error {
		_, err = db.ExecContext(ctx, "COMMIT")
		return err
	}
	func() {
		backoff := 100 * time.Millisecond
		for err := commit(); err != nil; err = commit() {
			select {
			case <-ctx.Done():
				return
			default:
			}
			backoff *= 2
			time.Sleep(backoff)
		}
	}()
	return err
}

// A labelled break leaves the loop.
func commitLabelled(ctx context.Context, db *sql.DB) error {
	var err error
retry:
	for {
		if _, err = db.ExecContext(ctx, "COMMIT"); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			break retry
		default:
		}
		time.Sleep(time.Second)
	}
	return err
}

// The loop's condition looks at ctx: the break only saves a sleep.
func commitWhileLive(ctx context.Context, db *sql.DB) error {
	var err error
	for ctx.Err() == nil {
		if _, err = db.ExecContext(ctx, "COMMIT"); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			break
		default:
		}
		time.Sleep(time.Second)
	}
	return err
}
