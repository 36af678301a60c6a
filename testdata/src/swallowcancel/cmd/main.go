// Package main is a command: a cancellation is the user's Ctrl-C, and ending
// cleanly on it is success. Its loops must still stop on it.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"time"
)

func run(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); errors.Is(err, context.Canceled) {
		return nil
	} else if err != nil {
		return fmt.Errorf("delete: %v", err)
	}
	<-ctx.Done()
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, nil); err != nil {
		os.Exit(1)
	}
}

// A loop that retries the cancelled call for ever: Ctrl-C cannot stop it,
// in a command too.
func waitForDB(ctx context.Context, db *sql.DB) {
	for {
		if err := db.PingContext(ctx); err == nil {
			return
		}
		time.Sleep(time.Second) // want `retrying after err, which may be a context cancellation \(from \(\*sql.DB\).PingContext\), without checking the context`
	}
}
