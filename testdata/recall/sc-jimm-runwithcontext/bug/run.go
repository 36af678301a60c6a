// Recall case sc-jimm-runwithcontext
// Source: github.com/canonical/jimm commit 858bca1356819ba742ccb9e8c919992c3ab4a69c (internal/jem/run.go)
// Link: https://github.com/canonical/jimm/commit/858bca1356819ba742ccb9e8c919992c3ab4a69c
// Bug: When the ctx is done, runWithContext returns its own sentinel errCanceled (a fresh errors.New value) instead of the context error, so callers of OpenAPIFromDoc cannot see context.Canceled / context.DeadlineExceeded.
// Fix: runWithContext returns ctx.Err() in the ctx.Done() branch and the errCanceled sentinel is removed.
// Rule: swallowcancel
package jem

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"time"
)

// errCanceled is the error returned when a context is cancelled before
// a Runner completes.
var errCanceled = errors.New("canceled")

// ErrAPIConnection is returned by OpenAPIFromDoc when the API connection
// cannot be made.
var ErrAPIConnection = errors.New("cannot connect to API")

// APIOpenTimeout is the dial timeout used by api.Open.
var APIOpenTimeout = 15 * time.Second

// runWithContext runs the given function and completes either when the
// runner completes, or when the given context is canceled. If Run
// returns because the context was cancelled then the returned error will
// have a cause of errCanceled.
func runWithContext(ctx context.Context, f func() (io.Closer, error)) (io.Closer, error) {
	type result struct {
		closer io.Closer
		err    error
	}
	ch := make(chan result)
	go func() {
		c, err := f()
		select {
		case ch <- result{c, err}:
		case <-ctx.Done():
			if err == nil {
				c.Close()
			} else {
				log.Printf("ignoring error in canceled task: %s", err)
			}
		}
	}()
	select {
	case r := <-ch:
		return r.closer, r.err
	case <-ctx.Done():
		return nil, errCanceled
	}
}

// Controller is the stored controller document (mongodoc.Controller).
type Controller struct {
	UUID      string
	HostPorts []string
}

// connCache stands in for apiconn.Cache: it caches one connection per controller UUID.
type connCache struct {
	mu    sync.Mutex
	conns map[string]net.Conn
}

func (c *connCache) OpenAPI(uuid string, dial func() (net.Conn, error)) (net.Conn, error) {
	c.mu.Lock()
	if conn, ok := c.conns[uuid]; ok {
		c.mu.Unlock()
		return conn, nil
	}
	c.mu.Unlock()
	conn, err := dial()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.conns == nil {
		c.conns = make(map[string]net.Conn)
	}
	c.conns[uuid] = conn
	c.mu.Unlock()
	return conn, nil
}

type JEM struct {
	connCache *connCache
}

// apiOpen stands in for juju's api.Open: a blocking dial that only knows
// its own timeout, not a context.
func apiOpen(addrs []string) (net.Conn, error) {
	var lastErr error
	for _, a := range addrs {
		conn, err := net.DialTimeout("tcp", a, APIOpenTimeout)
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}
	return nil, errors.Join(ErrAPIConnection, lastErr)
}

// OpenAPIFromDoc returns an API connection to the controller held in the
// given document.
func (j *JEM) OpenAPIFromDoc(ctx context.Context, ctl *Controller) (net.Conn, error) {
	return j.connCache.OpenAPI(ctl.UUID, func() (net.Conn, error) {
		cl, err := runWithContext(ctx, func() (io.Closer, error) {
			conn, err := apiOpen(ctl.HostPorts)
			if err != nil {
				return nil, err
			}
			return conn, nil
		})
		if err != nil {
			return nil, err
		}
		return cl.(net.Conn), nil
	})
}
