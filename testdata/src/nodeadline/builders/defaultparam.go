package builders

import (
	"context"
	"net/http"
	"time"
)

// Clients handed to a constructor: the package's own default way of
// calling it passes a client without a Timeout (go-ethereum's DialHTTP
// handing new(http.Client) to DialHTTPWithClient).

type rpcConn struct{ client *http.Client }

type RPC struct{ conn *rpcConn }

func DialRPC() *RPC { return DialRPCWithClient(new(http.Client)) }

func DialRPCWithClient(hc *http.Client) *RPC { return &RPC{conn: &rpcConn{client: hc}} }

func (c *RPC) CallContext(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := c.conn.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *RPC) unsubscribe() error {
	return c.CallContext(context.Background(), "unsubscribe") // want `context.Background\(\) reaches \(\*http.Client\).Do via \(\*builders.RPC\).CallContext: the wait has no deadline`
}

func (c *RPC) Subscribe() { go c.unsubscribe() }

// Negatives.

// The package's default has a Timeout; others pass their own.
type boundedConn struct{ client *http.Client }

type BoundedRPC struct{ conn *boundedConn }

func DialBounded() *BoundedRPC {
	return DialBoundedWithClient(&http.Client{Timeout: 10 * time.Second})
}

func DialBoundedWithClient(hc *http.Client) *BoundedRPC {
	return &BoundedRPC{conn: &boundedConn{client: hc}}
}

func (c *BoundedRPC) CallContext(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := c.conn.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *BoundedRPC) unsubscribe() error {
	return c.CallContext(context.Background(), "unsubscribe")
}

func (c *BoundedRPC) Subscribe() { go c.unsubscribe() }

// Only callers outside the package pass the client: unknown.
type userConn struct{ client *http.Client }

type UserRPC struct{ conn *userConn }

func DialUser(hc *http.Client) *UserRPC { return &UserRPC{conn: &userConn{client: hc}} }

func (c *UserRPC) CallContext(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := c.conn.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *UserRPC) unsubscribe() error {
	return c.CallContext(context.Background(), "unsubscribe")
}

func (c *UserRPC) Subscribe() { go c.unsubscribe() }

// Only a test passes a client without a Timeout: its stub says nothing of
// the real one.
type testedConn struct{ client *http.Client }

type TestedRPC struct{ conn *testedConn }

func newTestedRPC(hc *http.Client) *TestedRPC { return &TestedRPC{conn: &testedConn{client: hc}} }

func (c *TestedRPC) CallContext(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := c.conn.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *TestedRPC) unsubscribe() error {
	return c.CallContext(context.Background(), "unsubscribe")
}

func (c *TestedRPC) Subscribe() { go c.unsubscribe() }
