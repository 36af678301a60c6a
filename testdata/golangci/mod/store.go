package gcl

import (
	"context"
	"database/sql"
	"errors"
)

// Query has no context: nodeadline reports it and can fix it.
func Query(ctx context.Context, db *sql.DB) error {
	rows, err := db.Query("SELECT 1")
	if err != nil {
		return err
	}
	return rows.Close()
}

// Ping is a deliberate exception, suppressed with golangci-lint's nolint.
func Ping(db *sql.DB) error {
	return db.Ping() //nolint:nodeadline // startup probe: the process exits if it hangs
}

// Recent turns a cancellation into success: swallowcancel reports it.
func Recent(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Exec is suppressed with deadlinelint's own directive, which golangci-lint honours too.
func Exec(db *sql.DB) error {
	_, err := db.Exec("VACUUM") //deadlinelint:ignore nodeadline maintenance job with its own watchdog
	return err
}
