// Recall case nd-transfer-sweepquery
// Source: github.com/artie-labs/transfer commit f836e9b8968a69b9ad4f6ed313cb446734b85151 (lib/db/db.go)
// Link: https://github.com/artie-labs/transfer/commit/f836e9b8968a69b9ad4f6ed313cb446734b85151
// Bug: SweepTemporaryTables discards its ctx and shared.Sweep lists dangling temporary tables with dest.Query (database/sql Query without a context), so the information_schema query against the warehouse cannot be cancelled or time out.
// Fix: The ctx is threaded through SweepTemporaryTables into Sweep, which now calls dest.QueryContext(ctx, ...), a new method on the Store/Destination interfaces backed by sql.DB.QueryContext.
// Rule: nodeadline
package shared

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

const (
	maxAttempts = 5
	sleepBaseMs = 500
)

type Store interface {
	Exec(query string, args ...any) (sql.Result, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(query string, args ...any) (*sql.Rows, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	IsRetryableError(err error) bool
}

type storeWrapper struct {
	*sql.DB
}

func (s *storeWrapper) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var result sql.Result
	var err error
	for attempts := 0; attempts < maxAttempts; attempts++ {
		if attempts > 0 {
			sleepDuration := time.Duration(sleepBaseMs*attempts) * time.Millisecond
			slog.Warn("Failed to execute the query, retrying...",
				slog.Any("err", err),
				slog.Duration("sleep", sleepDuration),
				slog.Int("attempts", attempts),
			)
			time.Sleep(sleepDuration)
		}

		result, err = s.DB.ExecContext(ctx, query, args...)
		if err == nil || !s.IsRetryableError(err) {
			break
		}
	}
	return result, err
}

func (s *storeWrapper) Exec(query string, args ...any) (sql.Result, error) {
	var result sql.Result
	var err error
	for attempts := 0; attempts < maxAttempts; attempts++ {
		if attempts > 0 {
			sleepDuration := time.Duration(sleepBaseMs*attempts) * time.Millisecond
			slog.Warn("Failed to execute the query, retrying...",
				slog.Any("err", err),
				slog.Duration("sleep", sleepDuration),
				slog.Int("attempts", attempts),
			)
			time.Sleep(sleepDuration)
		}

		result, err = s.DB.Exec(query, args...)
		if err == nil || !s.IsRetryableError(err) {
			break
		}
	}
	return result, err
}

func (s *storeWrapper) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.DB.QueryContext(ctx, query, args...)
}

func (s *storeWrapper) Query(query string, args ...any) (*sql.Rows, error) {
	return s.DB.Query(query, args...)
}

func (s *storeWrapper) IsRetryableError(err error) bool {
	return false
}

func Open(driverName, dsn string) (Store, error) {
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	return &storeWrapper{DB: db}, nil
}
