// Recall case sd-dragonfly-healthcheck
// Source: github.com/dragonflyoss/dragonfly commit e7c8703a6d283a99e145d5480c076c48cece2c4b (pkg/rpc/health/client/client.go)
// Link: https://github.com/dragonflyoss/dragonfly/commit/e7c8703a6d283a99e145d5480c076c48cece2c4b   (PR https://github.com/dragonflyoss/dragonfly/pull/2943)
// Bug: health client Check(ctx, target) derives ctx with a timeout for GetClient but then calls healthClient.Check(context.Background(), ...), so the RPC starts a fresh budget and ignores the caller's deadline/cancellation.
// Fix: pass ctx to healthClient.Check.
// Rule: sharedeadline
package client

import (
	"context"
	"fmt"
	"time"
)

const (
	// contextTimeout is timeout of grpc invoke.
	contextTimeout = 2 * time.Second
)

// GetClient returns health client.
func GetClient(ctx context.Context, target string, opts ...DialOption) (Client, error) {
	conn, err := DialContext(
		ctx,
		target,
		opts...,
	)
	if err != nil {
		return nil, err
	}

	return &client{
		HealthClient: NewHealthClient(conn),
		ClientConn:   conn,
	}, nil
}

// Check checks health of grpc server.
func Check(ctx context.Context, target string, opts ...DialOption) error {
	ctx, cancel := context.WithTimeout(ctx, contextTimeout)
	defer cancel()

	healthClient, err := GetClient(ctx, target, opts...)
	if err != nil {
		return err
	}
	defer healthClient.Close()

	if err := healthClient.Check(context.Background(), &HealthCheckRequest{}); err != nil {
		return err
	}

	return nil
}

// Client is the interface for grpc client.
type Client interface {
	// Check checks health of grpc server.
	Check(context.Context, *HealthCheckRequest) error

	// Close tears down the ClientConn and all underlying connections.
	Close() error
}

// client provides health grpc function.
type client struct {
	HealthClient
	*ClientConn
}

// Check checks health of grpc server.
func (c *client) Check(ctx context.Context, req *HealthCheckRequest) error {
	ctx, cancel := context.WithTimeout(ctx, contextTimeout)
	defer cancel()

	resp, err := c.HealthClient.Check(ctx, req)
	if err != nil {
		return err
	}

	if resp.Status != HealthCheckResponseServing {
		return fmt.Errorf("check %s health failed, because of status is %d", c.ClientConn.Target(), resp.Status)
	}

	return nil
}
