// Package embeddedmixed opens an embedded database and a networked one: a
// handle from a caller may be either, and is judged as before.
package embeddedmixed

import "database/sql"

type Store struct{ db *sql.DB }

func OpenCache(path string) (*sql.DB, error) { return sql.Open("sqlite3", path) }

func OpenMain(dsn string) (*sql.DB, error) { return sql.Open("postgres", dsn) }

func WithInstance(db *sql.DB) *Store { return &Store{db: db} }

func (s *Store) Lock() error {
	_, err := s.db.Exec("SELECT pg_advisory_lock(1)") // want `\(\*sql.DB\).Exec has no context`
	return err
}
