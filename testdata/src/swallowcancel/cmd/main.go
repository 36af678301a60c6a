// Package main is a command: a cancellation is the user's Ctrl-C, and ending
// cleanly on it is success.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/signal"
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
