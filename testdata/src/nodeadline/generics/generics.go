package generics

import (
	"context"
	"database/sql"
)

// Querier is satisfied by *sql.DB, whose QueryContext waits: a call through
// it waits like one.
type Querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// Repo is generic over its database handle.
type Repo[Q Querier] struct{ q Q }

func (r Repo[Q]) All(ctx context.Context) error {
	_, err := r.q.QueryContext(ctx, "SELECT 1")
	return err
}

func (r Repo[Q]) Detached() error {
	_, err := r.q.QueryContext(context.Background(), "SELECT 1") // want `context.Background\(\) reaches generics.Querier.QueryContext: the query has no deadline`
	return err
}

func First[T any](db *sql.DB, scan func(*sql.Rows) T) (T, error) {
	var zero T
	rows, err := db.Query("SELECT 1") // want `\(\*sql.DB\).Query has no context`
	if err != nil {
		return zero, err
	}
	return scan(rows), nil
}

func FirstCtx[T any](ctx context.Context, db *sql.DB, scan func(*sql.Rows) T) (T, error) {
	var zero T
	rows, err := db.QueryContext(context.TODO(), "SELECT 1") // want `context.TODO\(\) reaches \(\*sql.DB\).QueryContext: the query has no deadline; pass ctx`
	if err != nil {
		return zero, err
	}
	return scan(rows), nil
}

func use(db *sql.DB) {
	r := Repo[*sql.DB]{q: db}
	r.All(context.Background()) // want `context.Background\(\) reaches generics.Querier.QueryContext via \(generics.Repo\[\*sql.DB\]\).All`
}
