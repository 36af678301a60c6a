// Package mongo is a stub of go.mongodb.org/mongo-driver/mongo for tests.
package mongo

import "context"

type SingleResult struct{}
type Collection struct{}
type Client struct{}

func (c *Collection) FindOne(ctx context.Context, filter any) *SingleResult { return nil }
func (c *Client) Disconnect(ctx context.Context) error                      { return nil }
