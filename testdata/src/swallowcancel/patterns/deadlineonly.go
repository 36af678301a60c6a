package patterns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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

// renterd's retryTransaction: abortRetry stops on Canceled only, so once
// the caller's deadline has passed each attempt fails at once with
// DeadlineExceeded and the loop sleeps through its intervals.
type txStore struct {
	db        *sql.DB
	intervals []time.Duration
}

func (s *txStore) retryTransaction(ctx context.Context, query string) error {
	abortRetry := func(err error) bool {
		return err == nil || errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "no such table")
	}
	var err error
	for i := 0; i <= len(s.intervals); i++ {
		_, err = s.db.ExecContext(ctx, query)
		if abortRetry(err) { // want `the loop stops on context.Canceled but retries context.DeadlineExceeded \(from s.db.ExecContext\(\), given the caller's context\)`
			return err
		}
		if i == len(s.intervals) {
			return err
		}
		time.Sleep(s.intervals[i])
	}
	return err
}

// The same test inline is left alone: there it is often the fix for the
// cancellation its author saw (harness' pingDatabase).
func (s *txStore) retryInline(ctx context.Context, query string) error {
	var err error
	for i := 0; i <= len(s.intervals); i++ {
		if _, err = s.db.ExecContext(ctx, query); err == nil {
			return nil
		}
		if errors.Is(err, context.Canceled) {
			return err
		}
		time.Sleep(s.intervals[i])
	}
	return err
}

// Fixed: DeadlineExceeded stops the retries too.
func (s *txStore) retryTransactionFixed(ctx context.Context, query string) error {
	abortRetry := func(err error) bool {
		return err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	}
	var err error
	for i := 0; i <= len(s.intervals); i++ {
		_, err = s.db.ExecContext(ctx, query)
		if abortRetry(err) {
			return err
		}
		time.Sleep(s.intervals[i])
	}
	return err
}

// stopOnCancelOnly is a predicate of the package that sorts errors: it stops
// on Canceled only.
func stopOnCancelOnly(err error) bool {
	return err == nil || errors.Is(err, context.Canceled)
}

// A per-attempt timeout: its DeadlineExceeded is a failure worth retrying.
func (s *txStore) retryPerAttempt(ctx context.Context, query string) error {
	var err error
	for i := 0; i <= len(s.intervals); i++ {
		attemptCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err = s.db.ExecContext(attemptCtx, query)
		cancel()
		if stopOnCancelOnly(err) {
			return err
		}
		time.Sleep(s.intervals[i])
	}
	return err
}

// The pause watches the context: a passed deadline ends it.
func (s *txStore) retryWatching(ctx context.Context, query string) error {
	var err error
	for i := 0; i <= len(s.intervals); i++ {
		if _, err = s.db.ExecContext(ctx, query); stopOnCancelOnly(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.intervals[i]):
		}
	}
	return err
}

// The package-level predicate in a long retry: reported.
func (s *txStore) retryWithPredicate(ctx context.Context, query string) error {
	var err error
	for {
		if _, err = s.db.ExecContext(ctx, query); stopOnCancelOnly(err) { // want `the loop stops on context.Canceled but retries context.DeadlineExceeded`
			return err
		}
		time.Sleep(time.Second)
	}
}

// Three quick attempts 100 ms apart: no noticeable wait.
func (s *txStore) retryQuick(ctx context.Context, query string) error {
	var err error
	for i := 0; i < 3; i++ {
		if _, err = s.db.ExecContext(ctx, query); stopOnCancelOnly(err) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}
