// Recall case sc-icinga-retrybackoff
// Source: github.com/Icinga/icinga-go-library commit d26dd15472f0081820ae85f2b6c5b0e272d1aae4 (retry/retry.go)
// Link: https://github.com/Icinga/icinga-go-library/commit/d26dd15472f0081820ae85f2b6c5b0e272d1aae4
// Bug: When the retryable function fails with context.Canceled/DeadlineExceeded, WithBackoff replaces that error with the previous attempt's error and, because DeadlineExceeded is Temporary(), keeps going into the backoff select, where the <-ctx.Done() branch wraps the last function error instead of ctx.Err(); callers get e.g. "can't retry: connection refused" and errors.Is(err, context.Canceled) is false.
// Fix: return immediately on a context error (keeping it as the wrapped cause, prefixed with the previous error's text), and on <-ctx.Done() wrap ctx.Err() rather than the last function error.
// Rule: swallowcancel
package retry

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"syscall"
	"time"
)

// wrap mirrors github.com/pkg/errors.Wrap: "msg: err", unwrapping to err.
func wrap(err error, msg string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// Backoff returns the backoff duration for a specific retry attempt.
type Backoff func(uint64) time.Duration

func NewExponentialWithJitter(min, max time.Duration) Backoff {
	return func(attempt uint64) time.Duration {
		e := min << attempt
		if e <= 0 || e > max {
			e = max
		}
		return time.Duration(int64(e)/2 + rand.Int63n(int64(e)/2))
	}
}

// RetryableFunc is a retryable function.
type RetryableFunc func(context.Context) error

// IsRetryable checks whether a new attempt can be started based on the error passed.
type IsRetryable func(error) bool

// Settings aggregates optional settings for WithBackoff.
type Settings struct {
	Timeout   time.Duration
	OnError   func(elapsed time.Duration, attempt uint64, err, lastErr error)
	OnSuccess func(elapsed time.Duration, attempt uint64, lastErr error)
}

// WithBackoff retries the passed function if it fails and the error allows it to retry.
// The specified backoff policy is used to determine how long to sleep between attempts.
func WithBackoff(
	ctx context.Context, retryableFunc RetryableFunc, retryable IsRetryable, b Backoff, settings Settings,
) (err error) {
	var timeout <-chan time.Time

	if settings.Timeout > 0 {
		t := time.NewTimer(settings.Timeout)
		defer t.Stop()
		timeout = t.C
	}

	start := time.Now()
	for attempt := uint64(0); ; /* true */ attempt++ {
		prevErr := err

		if err = retryableFunc(ctx); err == nil {
			if settings.OnSuccess != nil {
				settings.OnSuccess(time.Since(start), attempt, prevErr)
			}
			return
		}

		if settings.OnError != nil {
			settings.OnError(time.Since(start), attempt, err, prevErr)
		}

		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			if prevErr != nil {
				err = wrap(err, prevErr.Error())
			}

			return
		}

		if !retryable(err) {
			err = wrap(err, "can't retry")
			return
		}

		select {
		case <-time.After(b(attempt)):
		case <-timeout:
			if err != nil {
				err = wrap(err, "retry deadline exceeded")
			} else {
				err = errors.New("retry deadline exceeded")
			}
			return
		case <-ctx.Done():
			err = wrap(ctx.Err(), err.Error())
			return
		}
	}
}

// Retryable returns true for common errors that are considered retryable,
// i.e. temporary, timeout, DNS, connection refused and reset errors.
func Retryable(err error) bool {
	var temporary interface{ Temporary() bool }
	if errors.As(err, &temporary) && temporary.Temporary() {
		return true
	}
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return true
	}
	var dnsError *net.DNSError
	if errors.As(err, &dnsError) {
		return true
	}
	var opError *net.OpError
	if errors.As(err, &opError) {
		err = opError.Err
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	return errors.Is(err, driver.ErrBadConn)
}

// RetryConnector wraps driver.Connector with retry logic (from icingadb/driver.go).
type RetryConnector struct {
	driver.Connector
}

// Connect implements part of the driver.Connector interface.
func (c RetryConnector) Connect(ctx context.Context) (driver.Conn, error) {
	var conn driver.Conn
	err := wrap(WithBackoff(
		ctx,
		func(ctx context.Context) (err error) {
			conn, err = c.Connector.Connect(ctx)
			return
		},
		Retryable,
		NewExponentialWithJitter(time.Millisecond*128, time.Minute*1),
		Settings{Timeout: time.Minute * 5},
	), "can't connect to database")
	return conn, err
}
