// Recall case sc-mongo-retryctx
// Source: github.com/mongodb/mongo-go-driver commit 86cb64739c01eb695130ed2877fca0a8099db021 (x/mongo/driver/operation.go)
// Link: https://github.com/mongodb/mongo-go-driver/commit/86cb64739c01eb695130ed2877fca0a8099db021
// Bug: Operation.Execute wraps a round-trip failure caused by context cancellation/deadline into a NetworkError-labelled Error, treats it as retryable (RetryableRead) and loops via resetForRetry to select a new server/connection and try again, i.e. a context.Canceled/DeadlineExceeded is retried instead of being returned.
// Fix: at the top of each retry iteration, return prevErr immediately if errors.Is(prevErr, context.Canceled) or errors.Is(prevErr, context.DeadlineExceeded).
// Rule: swallowcancel
package driver

// Minimal stand-in for go.mongodb.org/mongo-driver/x/mongo/driver/topology: a server that hands out
// pooled net.Conn-backed connections which apply the socket timeout and the ctx deadline to every
// read and write, and close the socket when ctx is cancelled (like the driver's cancellation listener).

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Connection is a connection to a server.
type Connection interface {
	WriteWireMessage(ctx context.Context, wm []byte) error
	ReadWireMessage(ctx context.Context) ([]byte, error)
	Close() error
}

// Server is a selected server.
type Server interface {
	Connection(ctx context.Context) (Connection, error)
}

// Deployment is implemented by types that can select a server.
type Deployment interface {
	SelectServer(ctx context.Context) (Server, error)
}

// Topology is a single-server deployment.
type Topology struct {
	Addr           string
	ConnectTimeout time.Duration
	SocketTimeout  time.Duration

	mu   sync.Mutex
	idle []*connection
}

// SelectServer returns the only server (the driver's fast path: a single known,
// selectable server is returned without waiting).
func (t *Topology) SelectServer(ctx context.Context) (Server, error) {
	return t, nil
}

// Connection checks out an idle connection or dials a new one.
func (t *Topology) Connection(ctx context.Context) (Connection, error) {
	t.mu.Lock()
	if n := len(t.idle); n > 0 {
		c := t.idle[n-1]
		t.idle = t.idle[:n-1]
		t.mu.Unlock()
		return c, nil
	}
	t.mu.Unlock()

	d := net.Dialer{Timeout: t.ConnectTimeout}
	nc, err := d.DialContext(ctx, "tcp", t.Addr)
	if err != nil {
		return nil, err
	}
	return &connection{nc: nc, pool: t, readTimeout: t.SocketTimeout, writeTimeout: t.SocketTimeout}, nil
}

type connection struct {
	nc           net.Conn
	pool         *Topology
	readTimeout  time.Duration
	writeTimeout time.Duration
	broken       bool
}

func (c *connection) WriteWireMessage(ctx context.Context, wm []byte) error {
	var deadline time.Time
	if c.writeTimeout != 0 {
		deadline = time.Now().Add(c.writeTimeout)
	}
	if dl, ok := ctx.Deadline(); ok && (deadline.IsZero() || dl.Before(deadline)) {
		deadline = dl
	}
	if err := c.nc.SetWriteDeadline(deadline); err != nil {
		return err
	}

	stop := context.AfterFunc(ctx, func() { _ = c.nc.Close() })
	defer stop()
	if _, err := c.nc.Write(wm); err != nil {
		c.broken = true
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	return nil
}

func (c *connection) ReadWireMessage(ctx context.Context) ([]byte, error) {
	var deadline time.Time
	if c.readTimeout != 0 {
		deadline = time.Now().Add(c.readTimeout)
	}
	if dl, ok := ctx.Deadline(); ok && (deadline.IsZero() || dl.Before(deadline)) {
		deadline = dl
	}
	if err := c.nc.SetReadDeadline(deadline); err != nil {
		return nil, err
	}

	stop := context.AfterFunc(ctx, func() { _ = c.nc.Close() })
	defer stop()
	var sizeBuf [4]byte
	if _, err := io.ReadFull(c.nc, sizeBuf[:]); err != nil {
		c.broken = true
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	size := binary.LittleEndian.Uint32(sizeBuf[:])
	if size < 4 || size > 48*1024*1024 {
		c.broken = true
		return nil, errors.New("malformed wire message")
	}
	dst := make([]byte, size)
	copy(dst, sizeBuf[:])
	if _, err := io.ReadFull(c.nc, dst[4:]); err != nil {
		c.broken = true
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return dst, nil
}

// Close returns the connection to the pool, or closes it if it is broken.
func (c *connection) Close() error {
	if c.broken {
		return c.nc.Close()
	}
	c.pool.mu.Lock()
	c.pool.idle = append(c.pool.idle, c)
	c.pool.mu.Unlock()
	return nil
}

// appendWireMessage frames a command document as a length-prefixed wire message.
func appendWireMessage(dst []byte, cmd []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(4+len(cmd)))
	return append(dst, cmd...)
}
