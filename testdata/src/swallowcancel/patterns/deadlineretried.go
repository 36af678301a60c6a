package patterns

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"time"
)

// readIndex bounds one attempt with a budget derived from the caller's
// context: DeadlineExceeded when the attempt times out, and also at once
// when the caller's own deadline has passed.
func readIndex(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, err := db.ExecContext(ctx, "SELECT read_index()")
	return err
}

func isTimeout(err error) bool {
	if err, ok := err.(net.Error); ok && err.Timeout() {
		return true
	}
	return err == context.DeadlineExceeded
}

// chain's WaitRead: goes round on every timeout, the caller's included.
func waitRead(ctx context.Context, db *sql.DB) error {
	for {
		err := readIndex(ctx, db)
		if isTimeout(err) { // want `the loop retries context.DeadlineExceeded from readIndex\(\), which is given the caller's context: once the caller's deadline has passed every attempt fails at once with it and the loop never ends; return ctx.Err\(\) when it is not nil before going round`
			continue
		}
		return err
	}
}

// The same with the test written out: the continue is reported.
func waitReadInline(ctx context.Context, db *sql.DB) error {
	for {
		err := readIndex(ctx, db)
		if errors.Is(err, context.DeadlineExceeded) {
			continue // want `continuing after err is context.DeadlineExceeded retries work the caller gave up on`
		}
		return err
	}
}

// Fixed: the caller's context is asked before going round.
func waitReadFixed(ctx context.Context, db *sql.DB) error {
	for {
		err := readIndex(ctx, db)
		if !isTimeout(err) {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// A bounded number of attempts: the loop ends.
func waitReadBounded(ctx context.Context, db *sql.DB) error {
	var err error
	for i := 0; i < 3; i++ {
		err = readIndex(ctx, db)
		if !isTimeout(err) {
			return err
		}
	}
	return err
}

// Each attempt's budget is made from a root of its own: no caller's
// deadline to outlive.
func waitReadDetached(db *sql.DB) error {
	for {
		err := readIndex(context.Background(), db)
		if isTimeout(err) {
			continue
		}
		return err
	}
}
