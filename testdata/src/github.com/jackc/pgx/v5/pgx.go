// Package pgx is a stub of github.com/jackc/pgx/v5 for tests: signatures only.
package pgx

import "context"

type Rows interface {
	Next() bool
	Close()
}
type Row interface{ Scan(dest ...any) error }
type CommandTag struct{}
type Tx interface {
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (CommandTag, error)
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}
type Conn struct{}

func Connect(ctx context.Context, connString string) (*Conn, error)              { return nil, nil }
func (c *Conn) Query(ctx context.Context, sql string, args ...any) (Rows, error) { return nil, nil }
func (c *Conn) QueryRow(ctx context.Context, sql string, args ...any) Row        { return nil }
func (c *Conn) Exec(ctx context.Context, sql string, args ...any) (CommandTag, error) {
	return CommandTag{}, nil
}
func (c *Conn) Begin(ctx context.Context) (Tx, error) { return nil, nil }
func (c *Conn) Close(ctx context.Context) error       { return nil }

type Notification struct{ Channel, Payload string }

// WaitForNotification blocks until a LISTEN notification arrives.
func (c *Conn) WaitForNotification(ctx context.Context) (*Notification, error) { return nil, nil }
