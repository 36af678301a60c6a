// Package sqlx is a stub of github.com/jmoiron/sqlx for tests.
package sqlx

import (
	"context"
	"database/sql"
)

type DB struct{ *sql.DB }

func (db *DB) Get(dest any, query string, args ...any) error                             { return nil }
func (db *DB) GetContext(ctx context.Context, dest any, query string, args ...any) error { return nil }

type Rows struct{ *sql.Rows }
type Row struct{ *sql.Row }
type Tx struct{ *sql.Tx }

func (db *DB) Select(dest any, query string, args ...any) error               { return nil }
func (db *DB) MustExec(query string, args ...any) sql.Result                  { return nil }
func (db *DB) NamedExec(query string, arg any) (sql.Result, error)            { return nil, nil }
func (db *DB) NamedQuery(query string, arg any) (*Rows, error)                { return nil, nil }
func (db *DB) QueryRowx(query string, args ...any) *Row                       { return nil }
func (db *DB) Queryx(query string, args ...any) (*Rows, error)                { return nil, nil }
func (db *DB) Beginx() (*Tx, error)                                           { return nil, nil }
func (db *DB) BeginTxx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) { return nil, nil }
func (db *DB) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return nil
}
func (tx *Tx) Get(dest any, query string, args ...any) error       { return nil }
func (tx *Tx) Select(dest any, query string, args ...any) error    { return nil }
func (tx *Tx) MustExec(query string, args ...any) sql.Result       { return nil }
func (tx *Tx) NamedExec(query string, arg any) (sql.Result, error) { return nil, nil }
func (tx *Tx) QueryRowx(query string, args ...any) *Row            { return nil }
func (tx *Tx) Queryx(query string, args ...any) (*Rows, error)     { return nil, nil }

type NamedStmt struct{ Stmt *sql.Stmt }

func (n *NamedStmt) Exec(arg any) (sql.Result, error)                             { return nil, nil }
func (n *NamedStmt) Query(arg any) (*sql.Rows, error)                             { return nil, nil }
func (n *NamedStmt) QueryRow(arg any) *Row                                        { return nil }
func (n *NamedStmt) MustExec(arg any) sql.Result                                  { return nil }
func (n *NamedStmt) Queryx(arg any) (*Rows, error)                                { return nil, nil }
func (n *NamedStmt) QueryRowx(arg any) *Row                                       { return nil }
func (n *NamedStmt) Select(dest any, arg any) error                               { return nil }
func (n *NamedStmt) Get(dest any, arg any) error                                  { return nil }
func (n *NamedStmt) ExecContext(ctx context.Context, arg any) (sql.Result, error) { return nil, nil }
func (n *NamedStmt) QueryContext(ctx context.Context, arg any) (*sql.Rows, error) { return nil, nil }
func (n *NamedStmt) QueryRowContext(ctx context.Context, arg any) *Row            { return nil }
func (n *NamedStmt) MustExecContext(ctx context.Context, arg any) sql.Result      { return nil }
func (n *NamedStmt) QueryxContext(ctx context.Context, arg any) (*Rows, error)    { return nil, nil }
func (n *NamedStmt) QueryRowxContext(ctx context.Context, arg any) *Row           { return nil }
func (n *NamedStmt) SelectContext(ctx context.Context, dest any, arg any) error   { return nil }
func (n *NamedStmt) GetContext(ctx context.Context, dest any, arg any) error      { return nil }
