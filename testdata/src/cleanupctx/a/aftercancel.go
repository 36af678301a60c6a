package a

import (
	"context"
	"database/sql"
	"errors"
	"log"
	"time"
)

type sendResult struct{ id string }

type remoting interface {
	InvokeAsync(ctx context.Context, addr string, done func(err error)) error
}

// The completion callback ends the context, then hands it to the user's
// handler (rocketmq's sendAsync before its fix).
func sendAsync(ctx context.Context, c remoting, addr string, h func(context.Context, *sendResult, error)) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	return c.InvokeAsync(ctx, addr, func(err error) {
		cancel()
		if err != nil {
			h(ctx, nil, err) // want `h is given a context its own cancel function has already ended \(called above\), so it gets a done context and fails at once: call cancel after it \(defer cancel\(\)\)`
			return
		}
		h(ctx, &sendResult{id: addr}, nil)
	})
}

// A query after the cancel.
func countAfterCancel(ctx context.Context, db *sql.DB) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	var n int
	err := db.QueryRowContext(ctx, "SELECT 1").Scan(&n)
	cancel()
	if err != nil {
		return 0, err
	}
	err = db.QueryRowContext(ctx, "SELECT 2").Scan(&n) // want `\(\*sql.DB\).QueryRowContext is given a context its own cancel function has already ended`
	return n, err
}

// Negatives.

// The fix: cancel when the callback is done.
func sendAsyncFixed(ctx context.Context, c remoting, addr string, h func(context.Context, *sendResult, error)) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	return c.InvokeAsync(ctx, addr, func(err error) {
		defer cancel()
		h(ctx, nil, err)
	})
}

// Reading the context's state, or logging with it, after the cancel.
func reportAfterCancel(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	err := db.PingContext(ctx)
	cancel()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		log.Printf("ping timed out: %v", context.Cause(ctx))
	}
	return err
}

// A cancel on one branch does not end the context on the other.
func maybeCancel(ctx context.Context, db *sql.DB, stop bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if stop {
		cancel()
		return nil
	}
	return db.PingContext(ctx)
}

// A context cancelled on purpose before anything gets it (pgx's Conn.die:
// a hard close).
type pgConn struct{ db *sql.DB }

func (c *pgConn) die() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // force an immediate hard cancel
	c.db.PingContext(ctx)
}

// A package variable holding a function (containerd's log.G) is no
// callback: a logger taken from a done context still logs.
var loggerFrom = func(ctx context.Context) *log.Logger { return log.Default() }

func logAfterCancel(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	err := db.PingContext(ctx)
	cancel()
	loggerFrom(ctx).Printf("ping: %v", err)
	return err
}
