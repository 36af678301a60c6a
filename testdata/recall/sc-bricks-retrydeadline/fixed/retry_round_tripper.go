// Recall case sc-bricks-retrydeadline
// Source: github.com/pace/bricks commit 1c1fcbcc2dce3c5f0bbc2e733c24ca6fa691c61e (http/transport/retry_round_tripper.go)
// Link: https://github.com/pace/bricks/commit/1c1fcbcc2dce3c5f0bbc2e733c24ca6fa691c61e
// Bug: The default retry transport retries every "temporary" error; context.DeadlineExceeded (and *url.Error wrapping it) reports Temporary() == true, so a request whose context deadline expired is retried again and again instead of returning the deadline error.
// Fix: RetryTemporaryErr is combined (RetryAll) with a RetryIsErr predicate that refuses to retry errors that are context.DeadlineExceeded.
// Rule: swallowcancel
package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

const maxRetries = 9

var ErrRetryFailed = errors.New("failed after maximum number of retries")

// --- minimal local stand-in for github.com/PuerkitoBio/rehttp ---

type Attempt struct {
	Index    int
	Request  *http.Request
	Response *http.Response
	Error    error
}

type RetryFn func(attempt Attempt) bool
type DelayFn func(attempt Attempt) time.Duration

type Transport struct {
	http.RoundTripper
	retry RetryFn
	delay DelayFn
}

func NewTransport(rt http.RoundTripper, retry RetryFn, delay DelayFn) *Transport {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &Transport{RoundTripper: rt, retry: retry, delay: delay}
}

func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var attempt int
	for {
		res, err := t.RoundTripper.RoundTrip(req)
		a := Attempt{Index: attempt, Request: req, Response: res, Error: err}
		if !t.retry(a) {
			return res, err
		}
		if res != nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		select {
		case <-time.After(t.delay(a)):
			attempt++
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
}

func RetryAll(fns ...RetryFn) RetryFn {
	return func(a Attempt) bool {
		for _, fn := range fns {
			if !fn(a) {
				return false
			}
		}
		return true
	}
}

func RetryAny(fns ...RetryFn) RetryFn {
	return func(a Attempt) bool {
		for _, fn := range fns {
			if fn(a) {
				return true
			}
		}
		return false
	}
}

func RetryMaxRetries(max int) RetryFn {
	return func(a Attempt) bool { return a.Index < max }
}

func RetryStatuses(statuses ...int) RetryFn {
	return func(a Attempt) bool {
		if a.Response == nil {
			return false
		}
		for _, s := range statuses {
			if a.Response.StatusCode == s {
				return true
			}
		}
		return false
	}
}

type temporaryer interface{ Temporary() bool }

func RetryTemporaryErr() RetryFn {
	return func(a Attempt) bool {
		terr, ok := a.Error.(temporaryer)
		return ok && terr.Temporary()
	}
}

func RetryIsErr(fn func(error) bool) RetryFn {
	return func(a Attempt) bool { return fn(a.Error) }
}

func ConstDelay(d time.Duration) DelayFn {
	return func(Attempt) time.Duration { return d }
}

// --- bricks code ---

// RetryNetErr retries errors returned by the 'net' package.
func RetryNetErr() RetryFn {
	return func(attempt Attempt) bool {
		if _, isNetError := attempt.Error.(*net.OpError); isNetError {
			return true
		}
		return false
	}
}

// RetryEOFErr retries only when the error is EOF
func RetryEOFErr() RetryFn {
	return func(attempt Attempt) bool {
		return attempt.Error == io.EOF
	}
}

// NewDefaultRetryTransport returns a new default retry transport.
func NewDefaultRetryTransport() *Transport {
	return NewTransport(
		nil,
		RetryAll(
			RetryMaxRetries(maxRetries),
			RetryAny(
				RetryStatuses(408, 502, 503, 504),
				RetryEOFErr(),
				RetryNetErr(),
				RetryAll(
					RetryTemporaryErr(),
					RetryIsErr(func(err error) bool {
						return !errors.Is(err, context.DeadlineExceeded)
					}),
				),
			),
		),
		ConstDelay(100*time.Millisecond),
	)
}

// RetryRoundTripper implements a chainable round tripper for retrying requests
type RetryRoundTripper struct {
	retryTransport *Transport
	transport      http.RoundTripper
}

func NewDefaultRetryRoundTripper() *RetryRoundTripper {
	return &RetryRoundTripper{retryTransport: NewDefaultRetryTransport(), transport: http.DefaultTransport}
}

type retryWrappedTransport struct {
	transport http.RoundTripper
	attempts  int
}

func (rt *retryWrappedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.attempts++
	return rt.transport.RoundTrip(r)
}

// RoundTrip executes a HTTP request with retrying
func (l *RetryRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	retryTransport := *l.retryTransport
	wrappedTransport := &retryWrappedTransport{transport: l.transport}
	retryTransport.RoundTripper = wrappedTransport
	resp, err := retryTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 && wrappedTransport.attempts > maxRetries {
		return nil, ErrRetryFailed
	}
	return resp, nil
}
