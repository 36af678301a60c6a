package patterns

import (
	"context"
	"database/sql"
)

// Next is false at the end of the rows and when the query fails midway:
// only Err tells a cancellation from the end.
func names(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM users")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() { // want `Next returns false at the end of the rows and also when the query fails midway, a cancelled context included, and patterns.names never asks Err`
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// The rows a caller queried with a context, iterated here (gorm's Scan).
func query(ctx context.Context, db *sql.DB) int {
	rows, err := db.QueryContext(ctx, "SELECT id FROM users")
	if err != nil {
		return 0
	}
	defer rows.Close()
	return count(rows)
}

func count(rows *sql.Rows) int {
	n := 0
	for rows.Next() { // want `patterns.count never asks Err`
		n++
	}
	return n
}

// Negatives.

func namesChecked(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM users")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Handed to a helper: the helper's to check.
func queryChecked(ctx context.Context, db *sql.DB) (int, error) {
	rows, err := db.QueryContext(ctx, "SELECT id FROM users")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	return countChecked(rows)
}

func countChecked(rows *sql.Rows) (int, error) {
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// No context given to the query: no cancellation to lose (nodeadline's
// business).
func namesNoContext(db *sql.DB) int {
	rows, err := db.Query("SELECT name FROM users")
	if err != nil {
		return 0
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n
}

// One row asked whether a column exists, then the same context queries
// again: a cancellation surfaces there (postgres_exporter's walreceiver).
func hasColumn(ctx context.Context, db *sql.DB) (int, error) {
	probe, err := db.QueryContext(ctx, "SELECT flushed_lsn FROM pg_stat_wal_receiver LIMIT 0")
	if err != nil {
		return 0, err
	}
	defer probe.Close()
	query := "SELECT 1"
	if probe.Next() {
		query = "SELECT 2"
	}
	var n int
	return n, db.QueryRowContext(ctx, query).Scan(&n)
}

// queryer hands out rows like a driver wrapper (gf's Link).
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// The rows of one case of a switch, converted by a helper whose deferred
// closure closes them (gf's DoCommit and RowsToResult).
func doCommit(ctx context.Context, q queryer, kind string) ([]string, error) {
	var rows *sql.Rows
	var err error
	switch kind {
	case "query":
		rows, err = q.QueryContext(ctx, "SELECT name FROM users")
	}
	if err != nil || rows == nil {
		return nil, err
	}
	return rowsToResult(rows)
}

func rowsToResult(rows *sql.Rows) ([]string, error) {
	defer func() {
		if err := rows.Close(); err != nil {
			println(err.Error())
		}
	}()
	var out []string
	for rows.Next() { // want `patterns.rowsToResult never asks Err`
		var n string
		if err := rows.Scan(&n); err != nil {
			return out, err
		}
		out = append(out, n)
	}
	return out, nil
}

// The fix: Err is asked, in the deferred closure's company.
func doCommitFixed(ctx context.Context, q queryer) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT name FROM users")
	if err != nil {
		return nil, err
	}
	return rowsToResultFixed(rows)
}

func rowsToResultFixed(rows *sql.Rows) ([]string, error) {
	defer func() {
		if err := rows.Close(); err != nil {
			println(err.Error())
		}
	}()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return out, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
