// Package embedded is a migration driver for an embedded database
// (golang-migrate's sqlite3 driver): Open hands sql.Open("sqlite3", …) to
// WithInstance, which also serves callers' handles. Every database the
// package opens itself is embedded, so the handle in the field most likely
// is one too: its waits are not reported (a dropped caller's context
// would be).
package embedded

import "database/sql"

type Sqlite struct{ db *sql.DB }

func Open(path string) (*Sqlite, error) {
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		return nil, err
	}
	return WithInstance(db)
}

func WithInstance(db *sql.DB) (*Sqlite, error) {
	if err := db.Ping(); err != nil {
		return nil, err
	}
	return &Sqlite{db: db}, nil
}

func (s *Sqlite) Lock() error {
	_, err := s.db.Exec("BEGIN EXCLUSIVE")
	return err
}
