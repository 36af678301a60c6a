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
func (t *Tx) Close(ctx context.Context) error                { return nil }
