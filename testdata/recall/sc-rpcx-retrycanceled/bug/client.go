// Recall case sc-rpcx-retrycanceled
// Source: github.com/smallnest/rpcx commit 9f88bc1559419ea2ab855e979e00964776f574eb (client/client.go, local stand-in)
// Link: https://github.com/smallnest/rpcx/commit/9f88bc1559419ea2ab855e979e00964776f574eb
// Bug: In Failtry/Failover mode xClient.Call retries every non-ServiceError failure, including context.Canceled / context.DeadlineExceeded returned by wrapCall, so a cancelled call keeps being retried (and reselects servers) instead of returning the context error.
// Fix: Add contextCanceled(err) and return the error immediately (no retry) when selectClient or wrapCall fails with a context error.
// Rule: swallowcancel
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// ServiceError is an error returned by the remote service.
type ServiceError string

func (e ServiceError) Error() string { return string(e) }

var (
	ErrShutdown          = errors.New("connection is shut down")
	ErrServerUnavailable = errors.New("selected server is unavilable")
)

// RPCClient is the interface of a single-server rpc client.
type RPCClient interface {
	Call(ctx context.Context, servicePath, serviceMethod string, args interface{}, reply interface{}) error
	Close() error
	IsClosing() bool
	IsShutdown() bool
}

// Client is a stand-in rpcx Client that carries calls over HTTP.
type Client struct {
	addr     string
	hc       *http.Client
	mu       sync.Mutex
	closing  bool
	shutdown bool
}

// NewClient returns a client for addr.
func NewClient(addr string) *Client {
	return &Client{addr: addr, hc: http.DefaultClient}
}

// Call invokes the named function; like rpcx it returns ctx.Err() when the
// context is done before the reply arrives.
func (c *Client) Call(ctx context.Context, servicePath, serviceMethod string, args interface{}, reply interface{}) error {
	body, err := json.Marshal(args)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+c.addr+"/"+servicePath+"/"+serviceMethod, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.mu.Lock()
		c.shutdown = true
		c.mu.Unlock()
		return ErrShutdown
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ServiceError(fmt.Sprintf("service error: %s", resp.Status))
	}
	return json.NewDecoder(resp.Body).Decode(reply)
}

func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closing = true
	c.hc.CloseIdleConnections()
	return nil
}

func (c *Client) IsClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing
}

func (c *Client) IsShutdown() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.shutdown
}
