package patterns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A retry loop that stops on its own timeout but not on the caller's
// cancellation (flyctl's WaitForStart: once the caller cancelled, waitCtx's
// Err stayed Canceled and the loop slept and retried forever).
func waitStarted(ctx context.Context, db *sql.DB) error {
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		_, err := db.ExecContext(waitCtx, "SELECT started FROM machines")
		switch {
		case errors.Is(err, context.DeadlineExceeded): // want `the loop stops on context.DeadlineExceeded but retries context.Canceled \(from db.ExecContext\(\)\): once the caller cancels, every attempt fails at once`
			return fmt.Errorf("timeout waiting for start: %w", err)
		case err != nil:
			time.Sleep(500 * time.Millisecond)
			continue
		}
		return nil
	}
}

// The caller's own context, tested for DeadlineExceeded only.
func pollCaller(ctx context.Context, db *sql.DB) error {
	for {
		_, err := db.ExecContext(ctx, "SELECT 1")
		if err == nil {
			return nil
		}
		if errors.Is(err, context.DeadlineExceeded) { // want `the loop stops on context.DeadlineExceeded but retries context.Canceled`
			return err
		}
	}
}

// Negatives.

// The fix: Canceled ends the loop too.
func waitStartedFixed(ctx context.Context, db *sql.DB) error {
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		_, err := db.ExecContext(waitCtx, "SELECT started FROM machines")
		switch {
		case errors.Is(err, context.Canceled):
			return err
		case errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("timeout waiting for start: %w", err)
		case err != nil:
			time.Sleep(500 * time.Millisecond)
			continue
		}
		return nil
	}
}

// A timeout of the function's own, from Background: no caller to cancel.
func waitOwn(db *sql.DB) error {
	waitCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		_, err := db.ExecContext(waitCtx, "SELECT 1")
		if errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		if err == nil {
			return nil
		}
		time.Sleep(time.Second)
	}
}

// Other failures end the loop as well.
func waitOnce(ctx context.Context, db *sql.DB) error {
	for i := 0; ; i++ {
		_, err := db.ExecContext(ctx, "SELECT 1")
		if errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		if err != nil && i > 3 {
			return err
		}
		if err == nil {
			return nil
		}
	}
}

// A loop over servers that breaks out on DeadlineExceeded: the range's own
// end leaves too, to the same block the break does (dendrite's
// lookupEvent after its fix).
func lookupEvent(ctx context.Context, db *sql.DB, servers []string) (sql.Result, error) {
	var found sql.Result
	for _, server := range servers {
		res, err := db.ExecContext(ctx, "SELECT event FROM events WHERE server = $1", server)
		if err != nil || res == nil {
			if errors.Is(err, context.DeadlineExceeded) {
				break
			}
			continue
		}
		found = res
		break
	}
	if found == nil {
		return nil, errors.New("no server had the event")
	}
	return found, nil
}
