// Package mongo is a stub of go.mongodb.org/mongo-driver/v2/mongo for tests:
// signatures only.
package mongo

import "context"

type Client struct{}

func (c *Client) Disconnect(ctx context.Context) error { return nil }
