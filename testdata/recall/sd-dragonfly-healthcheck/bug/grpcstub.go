// Recall case sd-dragonfly-healthcheck
// Source: github.com/dragonflyoss/dragonfly commit e7c8703a6d283a99e145d5480c076c48cece2c4b (pkg/rpc/health/client/client.go)
// Link: https://github.com/dragonflyoss/dragonfly/commit/e7c8703a6d283a99e145d5480c076c48cece2c4b   (PR https://github.com/dragonflyoss/dragonfly/pull/2943)
// Bug: health client Check(ctx, target) derives ctx with a timeout for GetClient but then calls healthClient.Check(context.Background(), ...), so the RPC starts a fresh budget and ignores the caller's deadline/cancellation.
// Fix: pass ctx to healthClient.Check.
// Rule: sharedeadline
package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// ---- stand-ins for google.golang.org/grpc and grpc_health_v1 ----

// DialOption stands in for grpc.DialOption.
type DialOption func(*ClientConn)

// ClientConn stands in for *grpc.ClientConn: a non-blocking dial only records
// the target; RPCs go over the transport, bounded by the per-call context.
type ClientConn struct {
	target    string
	transport *http.Client
}

// DialContext mirrors grpc.DialContext without WithBlock: it does not wait
// for the connection, so nothing is sent on the network here.
func DialContext(ctx context.Context, target string, opts ...DialOption) (*ClientConn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cc := &ClientConn{target: target, transport: &http.Client{Transport: &http.Transport{}}}
	for _, o := range opts {
		o(cc)
	}
	return cc, nil
}

// Target returns the dial target.
func (cc *ClientConn) Target() string { return cc.target }

// Close tears down idle connections.
func (cc *ClientConn) Close() error {
	cc.transport.CloseIdleConnections()
	return nil
}

// invoke performs a unary call; like grpc, its only bound is ctx.
func (cc *ClientConn) invoke(ctx context.Context, method string, out interface{}) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+cc.target+method, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/grpc")
	resp, err := cc.transport.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("rpc %s: status %d", method, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// HealthCheckRequest mirrors healthpb.HealthCheckRequest.
type HealthCheckRequest struct{ Service string }

// HealthCheckResponseServing mirrors healthpb.HealthCheckResponse_SERVING.
const HealthCheckResponseServing = 1

// HealthCheckResponse mirrors healthpb.HealthCheckResponse.
type HealthCheckResponse struct{ Status int }

// HealthClient mirrors healthpb.HealthClient.
type HealthClient interface {
	Check(ctx context.Context, in *HealthCheckRequest) (*HealthCheckResponse, error)
}

type healthClient struct{ cc *ClientConn }

// NewHealthClient mirrors healthpb.NewHealthClient.
func NewHealthClient(cc *ClientConn) HealthClient { return &healthClient{cc: cc} }

func (c *healthClient) Check(ctx context.Context, in *HealthCheckRequest) (*HealthCheckResponse, error) {
	out := new(HealthCheckResponse)
	if err := c.cc.invoke(ctx, "/grpc.health.v1.Health/Check", out); err != nil {
		return nil, err
	}
	return out, nil
}
