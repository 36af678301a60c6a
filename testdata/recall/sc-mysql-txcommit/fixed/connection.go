// Recall case sc-mysql-txcommit
// Source: github.com/go-sql-driver/mysql commit 7da50ff71ba333796e05c76b8fd134a7e6240d06 (connection.go)
// Link: https://github.com/go-sql-driver/mysql/commit/7da50ff71ba333796e05c76b8fd134a7e6240d06
// Bug: when a transaction's ExecContext is cancelled, the watcher stores ctx.Err() in mc.canceled and closes the connection, but mysqlTx.Commit/Rollback then return the generic ErrInvalidConn, so callers cannot see context.Canceled/DeadlineExceeded.
// Fix: Commit/Rollback on a closed connection return the connection's cached error (mc.error(), i.e. the context error) and only fall back to ErrInvalidConn.
// Rule: swallowcancel
package mysql

import (
	"context"
	"errors"
	"log"
	"net"
	"sync/atomic"
)

var ErrInvalidConn = errors.New("invalid connection")

// atomicError is a wrapper for atomically accessed error values
type atomicError struct {
	value atomic.Value
}

// Set sets the error value regardless of the previous value.
func (ae *atomicError) Set(value error) {
	ae.value.Store(value)
}

// Value returns the current error value
func (ae *atomicError) Value() error {
	if v := ae.value.Load(); v != nil {
		return v.(error)
	}
	return nil
}

type mysqlConn struct {
	rawConn net.Conn

	// for context support (Go 1.8+)
	watching bool
	watcher  chan<- context.Context
	closech  chan struct{}
	finished chan<- struct{}
	canceled atomicError // set non-nil if conn is canceled
	closed   atomic.Bool // set when conn is closed, before closech is closed
}

// Closes the network connection and unsets internal variables.
func (mc *mysqlConn) cleanup() {
	if mc.closed.Swap(true) {
		return
	}

	// Makes cleanup idempotent
	close(mc.closech)
	conn := mc.rawConn
	if conn == nil {
		return
	}
	if err := conn.Close(); err != nil {
		log.Println("closing connection:", err)
	}
}

func (mc *mysqlConn) error() error {
	if mc.closed.Load() {
		if err := mc.canceled.Value(); err != nil {
			return err
		}
		return ErrInvalidConn
	}
	return nil
}

func (mc *mysqlConn) exec(query string) error {
	if mc.closed.Load() {
		return ErrInvalidConn
	}
	_, err := mc.rawConn.Write([]byte(query))
	return err
}

// finish is called when the query has succeeded.
func (mc *mysqlConn) finish() {
	if !mc.watching || mc.finished == nil {
		return
	}
	select {
	case mc.finished <- struct{}{}:
		mc.watching = false
	case <-mc.closech:
	}
}

// cancel is called when the query has canceled.
func (mc *mysqlConn) cancel(err error) {
	mc.canceled.Set(err)
	mc.cleanup()
}

func (mc *mysqlConn) ExecContext(ctx context.Context, query string) error {
	if err := mc.watchCancel(ctx); err != nil {
		return err
	}
	defer mc.finish()

	return mc.exec(query)
}

func (mc *mysqlConn) BeginTx(ctx context.Context) (*mysqlTx, error) {
	if mc.closed.Load() {
		return nil, ErrInvalidConn
	}
	if err := mc.watchCancel(ctx); err != nil {
		return nil, err
	}
	defer mc.finish()

	if err := mc.exec("START TRANSACTION"); err != nil {
		return nil, err
	}
	return &mysqlTx{mc}, nil
}

func (mc *mysqlConn) watchCancel(ctx context.Context) error {
	if mc.watching {
		// Reach here if canceled,
		// so the connection is already invalid
		mc.cleanup()
		return nil
	}
	// When ctx is already cancelled, don't watch it.
	if err := ctx.Err(); err != nil {
		return err
	}
	// When ctx is not cancellable, don't watch it.
	if ctx.Done() == nil {
		return nil
	}
	// When watcher is not alive, can't watch it.
	if mc.watcher == nil {
		return nil
	}

	mc.watching = true
	mc.watcher <- ctx
	return nil
}

func (mc *mysqlConn) startWatcher() {
	watcher := make(chan context.Context, 1)
	mc.watcher = watcher
	finished := make(chan struct{})
	mc.finished = finished
	go func() {
		for {
			var ctx context.Context
			select {
			case ctx = <-watcher:
			case <-mc.closech:
				return
			}

			select {
			case <-ctx.Done():
				mc.cancel(ctx.Err())
			case <-finished:
			case <-mc.closech:
				return
			}
		}
	}()
}

func newConn(ctx context.Context, addr string) (*mysqlConn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	mc := &mysqlConn{rawConn: nc, closech: make(chan struct{})}
	mc.startWatcher()
	return mc, nil
}
