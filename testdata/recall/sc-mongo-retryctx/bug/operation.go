// Recall case sc-mongo-retryctx
// Source: github.com/mongodb/mongo-go-driver commit 86cb64739c01eb695130ed2877fca0a8099db021 (x/mongo/driver/operation.go)
// Link: https://github.com/mongodb/mongo-go-driver/commit/86cb64739c01eb695130ed2877fca0a8099db021
// Bug: Operation.Execute wraps a round-trip failure caused by context cancellation/deadline into a NetworkError-labelled Error, treats it as retryable (RetryableRead) and loops via resetForRetry to select a new server/connection and try again, i.e. a context.Canceled/DeadlineExceeded is retried instead of being returned.
// Fix: at the top of each retry iteration, return prevErr immediately if errors.Is(prevErr, context.Canceled) or errors.Is(prevErr, context.DeadlineExceeded).
// Rule: swallowcancel
package driver

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Error labels.
const (
	NetworkError              = "NetworkError"
	TransientTransactionError = "TransientTransactionError"
	RetryableWriteError       = "RetryableWriteError"
)

var retryableCodes = []int32{11600, 11602, 10107, 13435, 13436, 189, 91, 7, 6, 89, 9001, 262}

// Error is a command execution error from the database.
type Error struct {
	Code    int32
	Message string
	Labels  []string
	Name    string
	Wrapped error
}

func (e Error) Error() string {
	if e.Name != "" {
		return fmt.Sprintf("(%v) %v", e.Name, e.Message)
	}
	return e.Message
}

// Unwrap returns the underlying error.
func (e Error) Unwrap() error { return e.Wrapped }

// HasErrorLabel returns true if the error contains the specified label.
func (e Error) HasErrorLabel(label string) bool {
	for _, l := range e.Labels {
		if l == label {
			return true
		}
	}
	return false
}

// RetryableRead returns true if the error is retryable for a read operation
func (e Error) RetryableRead() bool {
	for _, label := range e.Labels {
		if label == NetworkError {
			return true
		}
	}
	for _, code := range retryableCodes {
		if e.Code == code {
			return true
		}
	}

	return false
}

// RetryMode specifies the way that retries are handled for retryable operations.
type RetryMode uint

const (
	RetryNone RetryMode = iota
	RetryOnce
	RetryOncePerCommand
	RetryContext
)

// Enabled returns if this RetryMode enables retrying.
func (rm RetryMode) Enabled() bool {
	return rm == RetryOnce || rm == RetryOncePerCommand || rm == RetryContext
}

// Type specifies whether an operation is a read, write, or unknown.
type Type uint

const (
	_ Type = iota
	Write
	Read
)

// ResponseInfo contains the context required to parse a server response.
type ResponseInfo struct {
	ServerResponse []byte
	Server         Server
	Connection     Connection
}

// Operation is used to execute an operation.
type Operation struct {
	CommandFn         func(dst []byte) ([]byte, error)
	Database          string
	Deployment        Deployment
	ProcessResponseFn func(ResponseInfo) error
	Type              Type
	RetryMode         *RetryMode
	Name              string
}

// Execute runs this operation.
func (op Operation) Execute(ctx context.Context) error {
	if op.CommandFn == nil || op.Deployment == nil {
		return errors.New("the Operation must have a Deployment and CommandFn set before Execute can be called")
	}

	var retries int
	if op.RetryMode != nil {
		switch op.Type {
		case Read:
			switch *op.RetryMode {
			case RetryOnce, RetryOncePerCommand:
				retries = 1
			case RetryContext:
				retries = -1
			}
		}
	}

	var srvr Server
	var conn Connection
	var res []byte
	var prevErr error
	var err error

	// resetForRetry records the error that caused the retry, decrements retries, and resets the
	// retry loop variables to request a new server and a new connection for the next attempt.
	resetForRetry := func(err error) {
		retries--
		prevErr = err

		// If we got a connection, close it immediately to release pool resources
		// for subsequent retries.
		if conn != nil {
			conn.Close()
		}

		// Set the server and connection to nil to request a new server and connection.
		srvr = nil
		conn = nil
	}

	for {
		// If the server or connection are nil, try to select a new server and get a new connection.
		if srvr == nil || conn == nil {
			srvr, conn, err = op.getServerAndConnection(ctx)
			if err != nil {
				// If this is a retry and there's an error from a previous attempt, return the previous
				// error instead of the current connection error.
				if prevErr != nil {
					return prevErr
				}
				return err
			}
			defer conn.Close()
		}

		var cmd []byte
		cmd, err = op.CommandFn(nil)
		if err != nil {
			return err
		}
		wm := appendWireMessage(nil, cmd)

		if ctx.Err() != nil {
			err = ctx.Err()
		} else if deadline, ok := ctx.Deadline(); ok {
			if time.Now().After(deadline) {
				err = context.DeadlineExceeded
			}
		}

		if err == nil {
			res, err = op.roundTrip(ctx, conn, wm)
		}

		switch tt := err.(type) {
		case Error:
			var retryableErr bool
			if op.Type == Read {
				retryableErr = tt.RetryableRead()
			}

			// If retries are supported for the current operation on the first server description,
			// the error is considered retryable, and there are retries remaining (negative retries
			// means retry indefinitely), then retry the operation.
			if retryableErr && retries != 0 {
				resetForRetry(tt)
				continue
			}

			if op.ProcessResponseFn != nil {
				_ = op.ProcessResponseFn(ResponseInfo{ServerResponse: res, Server: srvr, Connection: conn})
			}
			return tt
		case nil:
			if op.ProcessResponseFn != nil {
				if perr := op.ProcessResponseFn(ResponseInfo{ServerResponse: res, Server: srvr, Connection: conn}); perr != nil {
					return perr
				}
			}
		default:
			if op.ProcessResponseFn != nil {
				_ = op.ProcessResponseFn(ResponseInfo{ServerResponse: res, Server: srvr, Connection: conn})
			}
			return err
		}
		break
	}
	return nil
}

func (op Operation) getServerAndConnection(ctx context.Context) (Server, Connection, error) {
	server, err := op.Deployment.SelectServer(ctx)
	if err != nil {
		return nil, nil, err
	}

	// Otherwise, default to checking out a connection from the server's pool.
	conn, err := server.Connection(ctx)
	if err != nil {
		return nil, nil, err
	}
	return server, conn, nil
}

func (op Operation) roundTrip(ctx context.Context, conn Connection, wm []byte) ([]byte, error) {
	err := conn.WriteWireMessage(ctx, wm)
	if err != nil {
		return nil, op.networkError(err)
	}
	return op.readWireMessage(ctx, conn)
}

func (op Operation) readWireMessage(ctx context.Context, conn Connection) (result []byte, err error) {
	wm, err := conn.ReadWireMessage(ctx)
	if err != nil {
		return nil, op.networkError(err)
	}
	return wm[4:], nil
}

// networkError wraps the provided error in an Error with label "NetworkError".
func (op Operation) networkError(err error) error {
	if err == nil {
		return nil
	}

	labels := []string{NetworkError}
	return Error{Message: err.Error(), Labels: labels, Wrapped: err}
}
