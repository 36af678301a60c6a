// Recall case sc-ksql-wrapquery
// Source: github.com/VinGarcia/ksql commit 83cf354f353958bf07b5bbe7306d91c9dbe4dce6 (ksql.go)
// Link: https://github.com/VinGarcia/ksql/commit/83cf354f353958bf07b5bbe7306d91c9dbe4dce6
// Bug: Errors from the adapter's QueryContext (e.g. context.Canceled / context.DeadlineExceeded when the caller's ctx ends) are re-wrapped with fmt.Errorf("...: %s", err), so callers can no longer detect the cancellation with errors.Is.
// Fix: Wrap the QueryContext (and transaction begin) errors with %w so the context error stays in the chain.
// Rule: swallowcancel
package ksql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
)

// ErrRecordNotFound is returned by QueryOne when no rows match.
var ErrRecordNotFound = errors.New("ksql: the query returned no results")

// DB represents the KSQL client responsible for
// interfacing with the "database/sql" package.
type DB struct {
	db DBAdapter
}

// DBAdapter is minimalistic interface to decouple our implementation
// from database/sql.
type DBAdapter interface {
	ExecContext(ctx context.Context, query string, args ...interface{}) (Result, error)
	QueryContext(ctx context.Context, query string, args ...interface{}) (Rows, error)
}

// Result stores information about the result of an Exec query
type Result interface {
	LastInsertId() (int64, error)
	RowsAffected() (int64, error)
}

// Rows represents the results from a call to Query()
type Rows interface {
	Scan(...interface{}) error
	Close() error
	Next() bool
	Err() error
}

// SQLAdapter adapts the sql.DB type to be compatible with the `DBAdapter` interface
type SQLAdapter struct {
	*sql.DB
}

// ExecContext implements the DBAdapter interface
func (s SQLAdapter) ExecContext(ctx context.Context, query string, args ...interface{}) (Result, error) {
	return s.DB.ExecContext(ctx, query, args...)
}

// QueryContext implements the DBAdapter interface
func (s SQLAdapter) QueryContext(ctx context.Context, query string, args ...interface{}) (Rows, error) {
	return s.DB.QueryContext(ctx, query, args...)
}

// NewWithAdapter creates a new DB using the given adapter.
func NewWithAdapter(db DBAdapter) DB {
	return DB{db: db}
}

// Query queries several rows from the database,
// each row is scanned (column by column) into a new element of *records.
func (c DB) Query(
	ctx context.Context,
	records interface{},
	query string,
	params ...interface{},
) error {
	slicePtr := reflect.ValueOf(records)
	if slicePtr.Kind() != reflect.Ptr || slicePtr.Elem().Kind() != reflect.Slice {
		return fmt.Errorf("KSQL: expected to receive a pointer to slice, but got: %T", records)
	}
	slice := slicePtr.Elem().Slice(0, 0)
	elemType := slice.Type().Elem()

	rows, err := c.db.QueryContext(ctx, query, params...)
	if err != nil {
		return fmt.Errorf("error running query: %w", err)
	}
	defer rows.Close()

	for rows.Next() {
		elem := reflect.New(elemType)
		if err := rows.Scan(elem.Interface()); err != nil {
			return err
		}
		slice = reflect.Append(slice, elem.Elem())
	}

	if rows.Err() != nil {
		return fmt.Errorf("KSQL: unexpected error when parsing query result: %w", rows.Err())
	}

	if err := rows.Close(); err != nil {
		return fmt.Errorf("KSQL: unexpected error when closing query result rows: %w", err)
	}

	slicePtr.Elem().Set(slice)
	return nil
}

// QueryOne queries one instance from the database.
//
// QueryOne returns a ErrRecordNotFound if
// the query returns no results.
func (c DB) QueryOne(
	ctx context.Context,
	record interface{},
	query string,
	params ...interface{},
) error {
	rows, err := c.db.QueryContext(ctx, query, params...)
	if err != nil {
		return fmt.Errorf("error running query: %w", err)
	}
	defer rows.Close()

	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return ErrRecordNotFound
	}

	return rows.Scan(record)
}
