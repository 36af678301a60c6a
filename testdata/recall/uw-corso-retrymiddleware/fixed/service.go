// Recall case uw-corso-retrymiddleware
// Source: github.com/alcionai/corso commit 27909592b88ba7059d2645aa6e88018e472f652f (src/internal/connector/graph/retry_middleware.go)
// Link: https://github.com/alcionai/corso/commit/27909592b88ba7059d2645aa6e88018e472f652f
// Bug: RetryHandler.retryRequest waits out the retry delay (Retry-After / exponential backoff) with time.Sleep(delay) although it has the request ctx, so a cancelled request keeps blocking for the whole delay and then sends a retry that fails immediately.
// Fix: the sleep is replaced by a timer in a select that returns ctx.Err() on <-ctx.Done().
// Rule: uncancellablewait
package graph

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"time"
)

const (
	retryAttemptHeader = "Retry-Attempt"
	retryAfterHeader   = "Retry-After"
)

// Pipeline is a stand-in for kiota-http-go's khttp.Pipeline.
type Pipeline interface {
	Next(req *http.Request, middlewareIndex int) (*http.Response, error)
}

// Middleware is a stand-in for khttp.Middleware.
type Middleware interface {
	Intercept(pipeline Pipeline, middlewareIndex int, req *http.Request) (*http.Response, error)
}

// middlewarePipeline runs the middlewares in order and finally sends the
// request with the wrapped http.Client transport.
type middlewarePipeline struct {
	middlewares []Middleware
	transport   http.RoundTripper
}

func (p *middlewarePipeline) Next(req *http.Request, middlewareIndex int) (*http.Response, error) {
	if middlewareIndex < len(p.middlewares)-1 {
		return p.middlewares[middlewareIndex+1].Intercept(p, middlewareIndex+1, req)
	}
	return p.transport.RoundTrip(req)
}

func (p *middlewarePipeline) RoundTrip(req *http.Request) (*http.Response, error) {
	return p.middlewares[0].Intercept(p, 0, req)
}

func NewHTTPClient(maxRetries int, delay time.Duration) *http.Client {
	return &http.Client{
		Transport: &middlewarePipeline{
			middlewares: []Middleware{RetryHandler{MaxRetries: maxRetries, Delay: delay}},
			transport:   http.DefaultTransport,
		},
	}
}

// ExponentialBackOff is a stand-in for cenkalti/backoff.ExponentialBackOff.
type ExponentialBackOff struct {
	InitialInterval time.Duration
	current         time.Duration
}

func (b *ExponentialBackOff) Reset() { b.current = b.InitialInterval }

func (b *ExponentialBackOff) NextBackOff() time.Duration {
	d := b.current + time.Duration(rand.Int63n(int64(b.current/2)+1))
	b.current *= 2
	return d
}

// stackErr is a stand-in for clues/graph.Stack(ctx, err).With(...).
type stackErr struct {
	err error
	kvs []any
}

func (e *stackErr) Error() string { return fmt.Sprintf("%v %v", e.err, e.kvs) }
func (e *stackErr) Unwrap() error { return e.err }
func (e *stackErr) With(kvs ...any) *stackErr {
	e.kvs = append(e.kvs, kvs...)
	return e
}

func Stack(ctx context.Context, err error) *stackErr { return &stackErr{err: err} }

func IsErrTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// Intercept implements the interface and evaluates whether to retry a failed request.
func (middleware RetryHandler) Intercept(
	pipeline Pipeline,
	middlewareIndex int,
	req *http.Request,
) (*http.Response, error) {
	ctx := req.Context()

	response, err := pipeline.Next(req, middlewareIndex)
	if err != nil && !IsErrTimeout(err) {
		return response, Stack(ctx, err)
	}

	exponentialBackOff := &ExponentialBackOff{}
	exponentialBackOff.InitialInterval = middleware.Delay
	exponentialBackOff.Reset()

	response, err = middleware.retryRequest(
		ctx,
		pipeline,
		middlewareIndex,
		req,
		response,
		0,
		0,
		exponentialBackOff,
		err)
	if err != nil {
		return nil, Stack(ctx, err)
	}

	return response, nil
}
