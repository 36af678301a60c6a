// Package app calls into the store with a context that has no deadline:
// found through the store's facts, across packages.
package app

import (
	"context"
	"database/sql"

	gcl "example.com/gcl"
)

func Report(db *sql.DB) error {
	return gcl.Recent(context.Background(), db)
}

// Sync is reported only because the sinks setting names gcl.Remote.
func Sync() error {
	return gcl.Remote(context.Background(), "k")
}
