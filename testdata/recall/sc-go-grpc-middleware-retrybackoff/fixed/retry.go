// Recall case sc-go-grpc-middleware-retrybackoff
// Source: github.com/grpc-ecosystem/go-grpc-middleware commit a203590fee0c02fa6394cccf39b87ba743ff1817 (retry/retry.go)
// Link: https://github.com/grpc-ecosystem/go-grpc-middleware/commit/a203590fee0c02fa6394cccf39b87ba743ff1817
// Bug: when the parent context is cancelled or times out during the retry backoff, waitRetryBackoff returns the context error but UnaryClientInterceptor returns nil, reporting success for an RPC that never completed.
// Fix: the interceptor returns the error from waitRetryBackoff instead of nil.
// Rule: swallowcancel
package grpc_retry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"
)

const AttemptMetadataKey = "x-retry-attempty"

// Code stands in for grpc codes.Code.
type Code int

const (
	OK Code = iota
	Canceled
	Unknown
	DeadlineExceeded
	Unavailable
	ResourceExhausted
)

// statusError stands in for a gRPC status error; it keeps the cause.
type statusError struct {
	code Code
	err  error
}

func (e *statusError) Error() string { return fmt.Sprintf("rpc error: code = %d desc = %v", e.code, e.err) }
func (e *statusError) Unwrap() error { return e.err }

// ErrorCode stands in for grpc.Code.
func ErrorCode(err error) Code {
	if err == nil {
		return OK
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code
	}
	return Unknown
}

// ClientConn stands in for *grpc.ClientConn: it invokes methods as JSON over HTTP.
type ClientConn struct {
	HTTPClient *http.Client
	Target     string
}

type attemptKey struct{}

// Invoke performs the RPC with the given context.
func (cc *ClientConn) Invoke(ctx context.Context, method string, req, reply any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, cc.Target+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if v, ok := ctx.Value(attemptKey{}).(string); ok {
		hreq.Header.Set(AttemptMetadataKey, v)
	}
	resp, err := cc.HTTPClient.Do(hreq)
	if err != nil {
		if ctx.Err() != nil {
			return contextErrToGrpcErr(ctx.Err())
		}
		return &statusError{code: Unavailable, err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		return &statusError{code: Unavailable, err: errors.New(resp.Status)}
	}
	return json.NewDecoder(resp.Body).Decode(reply)
}

type UnaryInvoker func(ctx context.Context, method string, req, reply any, cc *ClientConn) error

type ClientInterceptor func(ctx context.Context, method string, req, reply any, cc *ClientConn, invoker UnaryInvoker) error

type BackoffFunc func(attempt uint) time.Duration

type options struct {
	max            uint
	perCallTimeout time.Duration
	includeHeader  bool
	codes          []Code
	backoffFunc    BackoffFunc
}

type CallOption func(*options)

func WithMax(maxRetries uint) CallOption { return func(o *options) { o.max = maxRetries } }

func WithBackoff(bf BackoffFunc) CallOption { return func(o *options) { o.backoffFunc = bf } }

func WithPerRetryTimeout(timeout time.Duration) CallOption {
	return func(o *options) { o.perCallTimeout = timeout }
}

var defaultOptions = &options{
	max:            0, // disabled
	perCallTimeout: 0, // disabled
	includeHeader:  true,
	codes:          []Code{ResourceExhausted, Unavailable},
	backoffFunc:    func(attempt uint) time.Duration { return 50 * time.Millisecond },
}

func reuseOrNewWithCallOptions(opt *options, callOptions []CallOption) *options {
	if len(callOptions) == 0 {
		return opt
	}
	optCopy := &options{}
	*optCopy = *opt
	for _, f := range callOptions {
		f(optCopy)
	}
	return optCopy
}

func logTrace(ctx context.Context, format string, a ...any) {
	log.Printf(format, a...)
}

// UnaryClientInterceptor returns a new retrying unary client interceptor.
//
// The default configuration of the interceptor is to not retry *at all*. This behaviour can be
// changed through options (e.g. WithMax) on creation of the interceptor or on call.
func UnaryClientInterceptor(optFuncs ...CallOption) ClientInterceptor {
	intOpts := reuseOrNewWithCallOptions(defaultOptions, optFuncs)
	return func(parentCtx context.Context, method string, req, reply any, cc *ClientConn, invoker UnaryInvoker) error {
		callOpts := intOpts
		// short circuit for simplicity, and avoiding allocations.
		if callOpts.max == 0 {
			return invoker(parentCtx, method, req, reply, cc)
		}
		var lastErr error
		for attempt := uint(0); attempt < callOpts.max; attempt++ {
			if err := waitRetryBackoff(attempt, parentCtx, callOpts); err != nil {
				return err
			}
			callCtx := perCallContext(parentCtx, callOpts, attempt)
			lastErr = invoker(callCtx, method, req, reply, cc)
			if lastErr == nil {
				return nil
			}
			logTrace(parentCtx, "grpc_retry attempt: %d, got err: %v", attempt, lastErr)
			if isContextError(lastErr) {
				if parentCtx.Err() != nil {
					logTrace(parentCtx, "grpc_retry attempt: %d, parent context error: %v", attempt, parentCtx.Err())
					// its the parent context deadline or cancellation.
					return lastErr
				} else {
					logTrace(parentCtx, "grpc_retry attempt: %d, context error from retry call", attempt)
					// its the callCtx deadline or cancellation, in which case try again.
					continue
				}
			}
			if !isRetriable(lastErr, callOpts) {
				return lastErr
			}
		}
		return lastErr
	}
}

// Invoker returns the default invoker that performs the call on cc.
func Invoker() UnaryInvoker {
	return func(ctx context.Context, method string, req, reply any, cc *ClientConn) error {
		return cc.Invoke(ctx, method, req, reply)
	}
}

func waitRetryBackoff(attempt uint, parentCtx context.Context, callOpts *options) error {
	var waitTime time.Duration = 0
	if attempt > 0 {
		waitTime = callOpts.backoffFunc(attempt)
	}
	if waitTime > 0 {
		logTrace(parentCtx, "grpc_retry attempt: %d, backoff for %v", attempt, waitTime)
		select {
		case <-parentCtx.Done():
			return contextErrToGrpcErr(parentCtx.Err())
		case <-time.Tick(waitTime):
		}
	}
	return nil
}

func isRetriable(err error, callOpts *options) bool {
	errCode := ErrorCode(err)
	if isContextError(err) {
		// context errors are not retriable based on user settings.
		return false
	}
	for _, code := range callOpts.codes {
		if code == errCode {
			return true
		}
	}
	return false
}

func isContextError(err error) bool {
	return ErrorCode(err) == DeadlineExceeded || ErrorCode(err) == Canceled
}

func perCallContext(parentCtx context.Context, callOpts *options, attempt uint) context.Context {
	ctx := parentCtx
	if callOpts.perCallTimeout != 0 {
		ctx, _ = context.WithTimeout(ctx, callOpts.perCallTimeout)
	}
	if attempt > 0 && callOpts.includeHeader {
		ctx = context.WithValue(ctx, attemptKey{}, fmt.Sprintf("%d", attempt))
	}
	return ctx
}

func contextErrToGrpcErr(err error) error {
	switch err {
	case context.DeadlineExceeded:
		return &statusError{code: DeadlineExceeded, err: err}
	case context.Canceled:
		return &statusError{code: Canceled, err: err}
	default:
		return &statusError{code: Unknown, err: err}
	}
}

