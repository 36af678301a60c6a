// Package fix has findings that all carry a suggested fix: the language
// server's quick fixes remove every one of them.
package fix

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Count runs its query under a fresh budget that ignores the caller's.
func Count(ctx context.Context, db *sql.DB) (int, error) {
	qctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var n int
	err := db.QueryRowContext(qctx, "SELECT count(*) FROM t").Scan(&n)
	return n, err
}

// Purge turns a cancellation into success.
func Purge(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Lookup leaks its goroutine when ctx wins the select.
func Lookup(ctx context.Context, db *sql.DB) (string, error) {
	res := make(chan string)
	go func() {
		var s string
		db.QueryRowContext(ctx, "SELECT name FROM t").Scan(&s)
		res <- s
	}()
	select {
	case s := <-res:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
