// Recall case sc-harness-pingdatabase
// Source: github.com/harness/drone commit 4e46af81de5370d05629d6472eb7dc2a4b49bc1e (internal/store/database/store.go)
// Link: https://github.com/harness/drone/commit/4e46af81de5370d05629d6472eb7dc2a4b49bc1e
// Bug: pingDatabase retries db.PingContext(ctx) 30 times (sleeping 1s each) even when the ping failed with context.Canceled, so a cancelled startup keeps retrying instead of returning the cancellation.
// Fix: return the error immediately when errors.Is(err, context.Canceled).
// Rule: swallowcancel
package database

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"time"
)

// DB mirrors sqlx.DB, which embeds *sql.DB.
type DB struct {
	*sql.DB
	driverName string
}

// NewDb mirrors sqlx.NewDb.
func NewDb(db *sql.DB, driverName string) *DB {
	return &DB{DB: db, driverName: driverName}
}

// Connect to a database and verify with a ping.
func Connect(ctx context.Context, driver string, datasource string) (*DB, error) {
	db, err := sql.Open(driver, datasource)
	if err != nil {
		return nil, fmt.Errorf("failed to open the db: %w", err)
	}

	dbx := NewDb(db, driver)
	if err = pingDatabase(ctx, dbx); err != nil {
		return nil, fmt.Errorf("failed to ping the db: %w", err)
	}

	return dbx, nil
}

// helper function to ping the database with backoff to ensure
// a connection can be established before we proceed with the
// database setup and migration.
func pingDatabase(ctx context.Context, db *DB) error {
	var err error
	for i := 1; i <= 30; i++ {
		err = db.PingContext(ctx)

		// We can complete on first successful ping
		if err == nil {
			return nil
		}

		log.Printf("Ping attempt #%d failed: %v", i, err)

		time.Sleep(time.Second)
	}

	return fmt.Errorf("all 30 tries failed, last failure: %w", err)
}
