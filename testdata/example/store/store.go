// Package store talks to the database. Its methods take the caller's context,
// so the caller decides the deadline.
package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

type Store struct{ db *sql.DB }

func New(db *sql.DB) *Store { return &Store{db: db} }

// Load reads one order. ctx bounds the query.
func (s *Store) Load(ctx context.Context, id int) (string, error) {
	return s.load(ctx, id)
}

func (s *Store) load(ctx context.Context, id int) (string, error) {
	var name string
	err := s.db.QueryRowContext(ctx, "SELECT name FROM orders WHERE id = $1", id).Scan(&name)
	return name, err
}

// Count has no context at all.
func (s *Store) Count() (int, error) {
	var n int
	err := s.db.QueryRow("SELECT count(*) FROM orders").Scan(&n)
	return n, err
}

// Migrate runs once, from the deploy job, which has its own timeout.
//
//deadlinelint:ignore nodeadline one-shot migration, bounded by the deploy job's timeout
func (s *Store) Migrate() error {
	_, err := s.db.Exec("CREATE TABLE IF NOT EXISTS orders (id int, name text)")
	return err
}

// Total sums the orders, but with a budget of its own that ignores the
// caller's deadline.
func (s *Store) Total(ctx context.Context) (int, error) {
	qctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var n int
	err := s.db.QueryRowContext(qctx, "SELECT sum(total) FROM orders").Scan(&n)
	return n, err
}

// Recent lists the latest orders, but reports success when the caller gave up.
func (s *Store) Recent(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name FROM orders ORDER BY id DESC LIMIT 10")
	if errors.Is(err, context.Canceled) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}
