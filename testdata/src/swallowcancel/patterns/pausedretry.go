package patterns

import (
	"context"
	"database/sql"
	"errors"
	"log"
	"time"
)

// A wrapper that embeds the handle: its field is reloaded every round, the
// same handle all the same.
type store struct {
	*sql.DB
}

// A bounded retry that pauses between attempts and never looks at the
// context (harness' pingDatabase): once ctx is done it sleeps through all
// thirty attempts.
func pingDatabase(ctx context.Context, db *store) error {
	var err error
	for i := 1; i <= 30; i++ {
		err = db.PingContext(ctx) // want `retrying after err, which may be a context cancellation \(from \(\*sql.DB\).PingContext\), pausing between attempts without checking the context`
		if err == nil {
			return nil
		}
		log.Printf("ping attempt %d failed: %v", i, err)
		time.Sleep(time.Second)
	}
	return err
}

// Negatives.

// The fix: a cancellation ends the retries.
func pingDatabaseFixed(ctx context.Context, db *store) error {
	var err error
	for i := 1; i <= 30; i++ {
		err = db.PingContext(ctx)
		if err == nil {
			return nil
		}
		if errors.Is(err, context.Canceled) {
			return err
		}
		time.Sleep(time.Second)
	}
	return err
}

// A short throttle between attempts delays nobody.
func pingQuickly(ctx context.Context, db *store) error {
	var err error
	for i := 0; i < 3; i++ {
		if err = db.PingContext(ctx); err == nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return err
}

// Returning the failure at once is no retry.
func pingOnce(ctx context.Context, db *store) error {
	for i := 0; i < 3; i++ {
		if err := db.PingContext(ctx); err != nil {
			return err
		}
		time.Sleep(time.Second)
	}
	return nil
}

// A pause that watches the context.
func pingPatiently(ctx context.Context, db *store) error {
	var err error
	for i := 0; i < 30; i++ {
		if err = db.PingContext(ctx); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return err
}
