// Recall case sc-ydb-clusterget
// Source: github.com/ydb-platform/ydb-go-sdk commit bd82e9635e8113ef73cdea71e9cec1189cacf5be (internal/cluster/cluster.go)
// Link: https://github.com/ydb-platform/ydb-go-sdk/commit/bd82e9635e8113ef73cdea71e9cec1189cacf5be
// Bug: When the caller's ctx (or the internal MaxGetConnTimeout) is done, cluster.Get returns the package error ErrNoAvailableConns instead of the context error, so callers cannot tell cancellation/deadline from an empty cluster (errors.Is(err, context.Canceled) is false).
// Fix: The ctx.Done() branch returns errors.WithStackTrace(ctx.Err()) and ErrNoAvailableConns is removed.
// Rule: swallowcancel
package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

const (
	MaxGetConnTimeout = 10 * time.Second
)

var (
	// ErrClusterClosed returned when requested on a closed cluster.
	ErrClusterClosed = errors.New("cluster closed")

	// ErrClusterEmpty returned when no connections left in cluster.
	ErrClusterEmpty = errors.New("cluster empty")
)

// withStackTrace stands in for internal/errors.WithStackTrace (it wraps, keeping identity).
func withStackTrace(err error) error {
	return fmt.Errorf("cluster.Get: %w", err)
}

// Conn is a reduced stand-in for conn.Conn.
type Conn interface {
	Address() string
	Ping(ctx context.Context) error
}

type tcpConn struct {
	address string
}

func (c *tcpConn) Address() string { return c.address }

// Ping checks that the endpoint accepts connections.
func (c *tcpConn) Ping(ctx context.Context) error {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", c.address)
	if err != nil {
		return err
	}
	return nc.Close()
}

// Balancer picks the next connection.
type Balancer interface {
	Next() Conn
}

type roundRobin struct {
	mu    sync.Mutex
	conns []Conn
	i     int
}

func (r *roundRobin) Next() Conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.conns) == 0 {
		return nil
	}
	cc := r.conns[r.i%len(r.conns)]
	r.i++
	return cc
}

type cluster struct {
	balancer    Balancer
	balancerMtx sync.RWMutex

	mu     sync.RWMutex
	closed bool
}

// New creates a cluster over the given endpoints.
func New(addresses ...string) *cluster {
	rr := &roundRobin{}
	for _, a := range addresses {
		rr.conns = append(rr.conns, &tcpConn{address: a})
	}
	return &cluster{balancer: rr}
}

// Get returns next available connection.
// It returns error on given deadline cancellation or when cluster become closed.
func (c *cluster) Get(ctx context.Context) (cc Conn, err error) {
	var cancel context.CancelFunc
	ctx, cancel = context.WithTimeout(ctx, MaxGetConnTimeout)
	defer cancel()

	c.mu.Lock()
	defer c.mu.Unlock()

	if c.closed {
		return nil, withStackTrace(ErrClusterClosed)
	}

	c.balancerMtx.RLock()
	defer c.balancerMtx.RUnlock()

	for {
		select {
		case <-ctx.Done():
			return nil, withStackTrace(ctx.Err())
		default:
			cc = c.balancer.Next()
			if cc == nil {
				return nil, withStackTrace(ErrClusterEmpty)
			}
			if err = cc.Ping(ctx); err == nil {
				return cc, nil
			}
		}
	}
}
