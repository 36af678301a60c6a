// Package pgx is a stub of github.com/jackc/pgx/v4 for tests.
package pgx

import "context"

type Conn struct{}

func (c *Conn) Exec(ctx context.Context, sql string, args ...any) (struct{}, error) {
	return struct{}{}, nil
}

func (c *Conn) Close(ctx context.Context) error { return nil }

type Tx interface {
	Exec(ctx context.Context, sql string, args ...any) (struct{}, error)
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

type Notification struct{ Channel, Payload string }

func (c *Conn) WaitForNotification(ctx context.Context) (*Notification, error) { return nil, nil }
