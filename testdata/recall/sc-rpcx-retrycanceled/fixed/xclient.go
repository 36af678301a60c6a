// Recall case sc-rpcx-retrycanceled
// Source: github.com/smallnest/rpcx commit 9f88bc1559419ea2ab855e979e00964776f574eb (client/xclient.go)
// Link: https://github.com/smallnest/rpcx/commit/9f88bc1559419ea2ab855e979e00964776f574eb
// Bug: In Failtry/Failover mode xClient.Call retries every non-ServiceError failure, including context.Canceled / context.DeadlineExceeded returned by wrapCall, so a cancelled call keeps being retried (and reselects servers) instead of returning the context error.
// Fix: Add contextCanceled(err) and return the error immediately (no retry) when selectClient or wrapCall fails with a context error.
// Rule: swallowcancel
package client

import (
	"context"
	"errors"
	"sync"
)

// FailMode decides how to handle failures.
type FailMode int

const (
	Failover FailMode = iota
	Failfast
	Failtry
)

// Option contains the xclient options.
type Option struct {
	Retries int
}

var (
	ErrXClientShutdown = errors.New("xClient is shut down")
	ErrXClientNoServer = errors.New("can not found any server")
)

// Selector selects a server key.
type Selector interface {
	Select(ctx context.Context, servicePath, serviceMethod string, args interface{}) string
}

type xClient struct {
	failMode     FailMode
	servicePath  string
	option       Option
	mu           sync.RWMutex
	selector     Selector
	cachedClient map[string]RPCClient
	isShutdown   bool
}

// NewXClient creates a XClient.
func NewXClient(servicePath string, failMode FailMode, selector Selector, option Option) *xClient {
	return &xClient{
		failMode:     failMode,
		servicePath:  servicePath,
		option:       option,
		selector:     selector,
		cachedClient: make(map[string]RPCClient),
	}
}

func (c *xClient) selectClient(ctx context.Context, servicePath, serviceMethod string, args interface{}) (string, RPCClient, error) {
	c.mu.Lock()
	k := c.selector.Select(ctx, servicePath, serviceMethod, args)
	c.mu.Unlock()
	if k == "" {
		return "", nil, ErrXClientNoServer
	}
	client, err := c.getCachedClient(k)
	return k, client, err
}

func (c *xClient) getCachedClient(k string) (RPCClient, error) {
	c.mu.Lock()
	defer c.mu.Unlock()

	if c.isShutdown {
		return nil, errors.New("this xclient is closed")
	}

	client := c.cachedClient[k]
	if client != nil {
		if !client.IsClosing() && !client.IsShutdown() {
			return client, nil
		}
		delete(c.cachedClient, k)
		client.Close()
	}

	client = NewClient(k)
	c.cachedClient[k] = client
	return client, nil
}

func (c *xClient) removeClient(k string, client RPCClient) {
	c.mu.Lock()
	cl := c.cachedClient[k]
	if cl == client {
		delete(c.cachedClient, k)
	}
	c.mu.Unlock()

	if client != nil {
		client.Close()
	}
}

// Call invokes the named function, waits for it to complete, and returns its error status.
// It handles errors base on FailMode.
func (c *xClient) Call(ctx context.Context, serviceMethod string, args interface{}, reply interface{}) error {
	if c.isShutdown {
		return ErrXClientShutdown
	}

	var err error
	k, client, err := c.selectClient(ctx, c.servicePath, serviceMethod, args)
	if err != nil {
		if c.failMode == Failfast || contextCanceled(err) {
			return err
		}
	}

	var e error
	switch c.failMode {
	case Failtry:
		retries := c.option.Retries
		for retries >= 0 {
			retries--

			if client != nil {
				err = c.wrapCall(ctx, client, serviceMethod, args, reply)
				if err == nil {
					return nil
				}
				if contextCanceled(err) {
					return err
				}
				if _, ok := err.(ServiceError); ok {
					return err
				}
			}

			if uncoverError(err) {
				c.removeClient(k, client)
			}
			client, e = c.getCachedClient(k)
		}
		if err == nil {
			err = e
		}
		return err
	case Failover:
		retries := c.option.Retries
		for retries >= 0 {
			retries--

			if client != nil {
				err = c.wrapCall(ctx, client, serviceMethod, args, reply)
				if err == nil {
					return nil
				}
				if contextCanceled(err) {
					return err
				}
				if _, ok := err.(ServiceError); ok {
					return err
				}
			}

			if uncoverError(err) {
				c.removeClient(k, client)
			}
			//select another server
			k, client, e = c.selectClient(ctx, c.servicePath, serviceMethod, args)
		}

		if err == nil {
			err = e
		}
		return err
	default: //Failfast
		err = c.wrapCall(ctx, client, serviceMethod, args, reply)
		if err != nil {
			if uncoverError(err) {
				c.removeClient(k, client)
			}
		}

		return err
	}
}

func uncoverError(err error) bool {
	if _, ok := err.(ServiceError); ok {
		return false
	}

	if err == context.DeadlineExceeded {
		return false
	}

	if err == context.Canceled {
		return false
	}

	return true
}

func contextCanceled(err error) bool {
	if err == context.DeadlineExceeded {
		return true
	}

	if err == context.Canceled {
		return true
	}

	return false
}

func (c *xClient) wrapCall(ctx context.Context, client RPCClient, serviceMethod string, args interface{}, reply interface{}) error {
	if client == nil {
		return ErrServerUnavailable
	}

	err := client.Call(ctx, c.servicePath, serviceMethod, args, reply)

	return err
}
