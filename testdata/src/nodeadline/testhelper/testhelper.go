// Package testhelper is test support outside _test.go files (it imports
// "testing"): a reusable helper that tests call, judged like test code.
package testhelper

import (
	"context"
	"database/sql"
	"testing"
)

func MustCount(t *testing.T, db *sql.DB) int {
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
