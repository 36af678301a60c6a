package patterns

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log"
)

// codeError stands for a status error of an RPC framework: no Unwrap.
type codeError struct {
	code string
	msg  string
}

func (e *codeError) Error() string { return e.code + ": " + e.msg }

func codeErr(code, msg string) error { return &codeError{code: code, msg: msg} }

var errMissing = errors.New("missing")

// toCodeError maps known errors and falls back to "Unknown" (etcd's
// togRPCError before etcd-io/etcd#8824).
func toCodeError(err error) error {
	if errors.Is(err, errMissing) {
		return codeErr("NotFound", err.Error())
	}
	return codeErr("Unknown", err.Error())
}

func rangeRPC(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if err != nil {
		return toCodeError(err) // want `toCodeError replaces err, which may be a context cancellation \(from \(\*sql.DB\).ExecContext\), with a \*patterns.codeError literal that does not wrap it: errors.Is\(err, context.Canceled\) is false upstream; have toCodeError return context errors unchanged`
	}
	return nil
}

// Fixed: cancellations are returned as they are.
func toCodeErrorFixed(err error) error {
	if err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	return codeErr("Unknown", err.Error())
}

func rangeRPCFixed(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if err != nil {
		return toCodeErrorFixed(err)
	}
	return nil
}

// Wrapping keeps the cancellation visible.
func annotate(err error) error { return fmt.Errorf("rpc: %w", err) }

func rangeAnnotated(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if err != nil {
		return annotate(err)
	}
	return nil
}

// Only a particular other error is replaced.
func notFoundOnly(err error) error {
	if errors.Is(err, errMissing) {
		return codeErr("NotFound", "no such key")
	}
	return err
}

func rangeNotFound(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if err != nil {
		return notFoundOnly(err)
	}
	return nil
}

// The converted error is only logged: the caller still returns err.
func rangeLogged(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if err != nil {
		log.Print(toCodeError(err))
		return err
	}
	return nil
}

// An error that cannot be a cancellation: nothing to hide.
func parse(s string) error {
	if s == "" {
		return toCodeError(errMissing)
	}
	return nil
}

// A database/sql driver answers a failed call with driver.ErrBadConn to
// make database/sql retry on another connection; database/sql checks the
// context before each try, so a cancellation still ends with ctx.Err().
type driverConn struct{ db *sql.DB }

func (c *driverConn) ExecContext(ctx context.Context, query string) (driver.Result, error) {
	_, err := c.db.ExecContext(ctx, query)
	if err != nil {
		return nil, driver.ErrBadConn
	}
	return driver.RowsAffected(0), nil
}

// A lookup that returns no error (go-redis's GetCommandPolicy): the
// closure's ctx.Err() is not its result, and a nil test of the policy it
// returns is no error test, so the new error below replaces nothing.
type routePolicy struct{ pipelined bool }

func lookupPolicy(ctx context.Context, resolve func(check func() error) *routePolicy) *routePolicy {
	return resolve(func() error { return ctx.Err() })
}

func preflight(ctx context.Context, name string, resolve func(check func() error) *routePolicy) error {
	if p := lookupPolicy(ctx, resolve); p != nil && !p.pipelined {
		return fmt.Errorf("cannot pipeline %s", name)
	}
	return nil
}

// A converter that first asks a classifier of the package what the error
// is (fabric's toRpcError, through a stand-in for gRPC's
// status.FromContextError): cancellations get their own codes, and the
// fallback runs only for the rest.
func fromContextError(err error) *codeError {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &codeError{code: "DeadlineExceeded", msg: err.Error()}
	case errors.Is(err, context.Canceled):
		return &codeError{code: "Canceled", msg: err.Error()}
	}
	return &codeError{code: "Unknown", msg: err.Error()}
}

func toRPCError(err error, unknownCode string) error {
	var known *codeError
	if errors.As(err, &known) {
		return known
	}
	known = fromContextError(err)
	if known.code != "Unknown" {
		return known
	}
	return codeErr(unknownCode, err.Error())
}

func commitStatus(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
		return toRPCError(err, "FailedPrecondition")
	}
	return nil
}

// A classifier that knows only Canceled decides nothing for a deadline.
func fromCanceled(err error) *codeError {
	if errors.Is(err, context.Canceled) {
		return &codeError{code: "Canceled", msg: err.Error()}
	}
	return &codeError{code: "Unknown", msg: err.Error()}
}

func toRPCErrorCanceledOnly(err error) error {
	if known := fromCanceled(err); known.code != "Unknown" {
		return known
	}
	return codeErr("FailedPrecondition", err.Error())
}

func commitStatusCanceledOnly(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
		return toRPCErrorCanceledOnly(err) // want `toRPCErrorCanceledOnly replaces err, which may be a context cancellation`
	}
	return nil
}
