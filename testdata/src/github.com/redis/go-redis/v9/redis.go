// Package redis is a stub of github.com/redis/go-redis/v9 for tests.
package redis

import "context"

type StringCmd struct{}

func (c *StringCmd) Result() (string, error) { return "", nil }

type Cmdable interface {
	Get(ctx context.Context, key string) *StringCmd
}
type Options struct{ Addr string }
type Client struct{}

func NewClient(opt *Options) *Client                             { return nil }
func (c *Client) Get(ctx context.Context, key string) *StringCmd { return nil }
func (c *Client) Close() error                                   { return nil }

type Tx struct{}

func (t *Tx) Get(ctx context.Context, key string) *StringCmd { return nil }

// Close sends UNWATCH with ctx, then releases the connection whatever
// became of it, as go-redis's does.
func (t *Tx) Close(ctx context.Context) error {
	_ = t.Unwatch(ctx).Err()
	return nil
}

func (t *Tx) Unwatch(ctx context.Context, keys ...string) *StatusCmd { return &StatusCmd{} }

type StatusCmd struct{}

func (c *StatusCmd) Err() error { return nil }

// Watch closes its transaction with its own ctx, as go-redis's does: the
// package's own use of an inert Close is no cleanup either.
func (c *Client) Watch(ctx context.Context, fn func(*Tx) error, keys ...string) error {
	tx := &Tx{}
	defer tx.Close(ctx)
	if err := tx.Unwatch(ctx).Err(); err != nil {
		return err
	}
	return fn(tx)
}
