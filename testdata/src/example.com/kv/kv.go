// Package kv is an in-house client the catalog does not know.
package kv

import "context"

type Client struct{}

func (c *Client) Fetch(ctx context.Context, key string) ([]byte, error) { return nil, nil }
func (c *Client) FetchNow(key string) ([]byte, error)                   { return nil, nil }
func Ping(ctx context.Context, addr string) error                       { return nil }
