// Recall case uw-tdarr-retrybackoff
// Source: github.com/homeylab/tdarr-exporter commit 47b797262b474466e88691271879f375279b5efd (internal/client/transport.go)
// Link: https://github.com/homeylab/tdarr-exporter/commit/47b797262b474466e88691271879f375279b5efd
// Bug: ClientTransport.RoundTrip waits between retries with t.sleep(backoffDur), a struct field that defaults to time.Sleep, so a cancelled request context (shutdown or scrape timeout) does not interrupt the backoff and the retry is sent with a dead context.
// Fix: the backoff is a select on req.Context().Done() (returning the wrapped ctx error) and t.after(backoffDur) (time.After by default).
// Rule: uncancellablewait
package client

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"
)

// ClientTransportOption is a functional option for NewClientTransport.
type ClientTransportOption func(*ClientTransport)

// WithBackoff sets the retry backoff durations. The number of retries equals
// len(durations). Default: [1s, 3s] (2 retries).
func WithBackoff(durations []time.Duration) ClientTransportOption {
	return func(t *ClientTransport) {
		t.backoff = durations
	}
}

// WithAfter injects the timer function used for retry backoff, replacing
// time.After. Intended for tests to avoid real wall-clock delays.
func WithAfter(fn func(time.Duration) <-chan time.Time) ClientTransportOption {
	return func(t *ClientTransport) {
		t.after = fn
	}
}

// WithLogger injects the logger the transport uses. Defaults to log.Default().
func WithLogger(logger *log.Logger) ClientTransportOption {
	return func(t *ClientTransport) {
		t.logger = logger
	}
}

// Set up as http.RoundTripper that can retry, add auth in future, etc.
type ClientTransport struct {
	inner   http.RoundTripper
	backoff []time.Duration
	after   func(time.Duration) <-chan time.Time
	logger  *log.Logger
}

// NewClientTransport constructs a ClientTransport wrapping inner.
// Default: 2 retries with backoff [1s, 3s], using time.After.
func NewClientTransport(inner http.RoundTripper, opts ...ClientTransportOption) *ClientTransport {
	t := &ClientTransport{
		inner:   inner,
		backoff: []time.Duration{1 * time.Second, 3 * time.Second},
		after:   time.After,
		logger:  log.Default(),
	}
	for _, opt := range opts {
		opt(t)
	}
	return t
}

// drainClose drains and closes a response body that the transport is about to
// discard. nil-safe.
func drainClose(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

// middleware for http to handle retries
func (t *ClientTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// for post/put (usually) we need to read the body and re-use it on retries
	var bodyBytes []byte
	if req.Body != nil {
		bodyBytes, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewBuffer(bodyBytes))
	}
	resp, err := t.inner.RoundTrip(req)
	if err != nil || resp.StatusCode >= 500 {
		recovered := false
		for i, backoffDur := range t.backoff {
			t.logger.Printf("Retrying HTTP Request retry_count=%d backoff=%v url=%s", i+1, backoffDur, req.URL.String())
			// Free the previous failed response before retrying.
			drainClose(resp)
			// first try already failed so wait before retrying — but abort the
			// wait immediately if the request's context is cancelled (shutdown
			// or Prometheus scrape timeout); retrying with a dead context is
			// pointless and delays shutdown by the full backoff.
			select {
			case <-req.Context().Done():
				return nil, fmt.Errorf("aborting retries - request context done: %w", req.Context().Err())
			case <-t.after(backoffDur):
			}
			// re-add body to request
			if req.Body != nil {
				req.Body = io.NopCloser(bytes.NewBuffer(bodyBytes))
			}
			resp, err = t.inner.RoundTrip(req)
			if err == nil && resp.StatusCode < 500 {
				recovered = true
				break
			}
		}
		if !recovered {
			// every attempt errored or returned 5xx
			if err != nil {
				return nil, fmt.Errorf("error sending HTTP Request: %w", err)
			}
			drainClose(resp)
			return nil, fmt.Errorf("received Server Error Status Code: %d", resp.StatusCode)
		}
		// fall through: resp is now a <500 response, classify it like any other
	}
	if resp.StatusCode >= 400 && resp.StatusCode <= 499 {
		t.logger.Printf("Received 40X Status Code: %d url=%s", resp.StatusCode, req.URL.String())
		drainClose(resp)
		return nil, fmt.Errorf("received 40x Status Code: %d", resp.StatusCode)
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		location, locErr := resp.Location()
		drainClose(resp)
		if locErr == nil {
			return nil, fmt.Errorf("received Redirect Status Code: %d, Location: %s", resp.StatusCode, location.String())
		}
		return nil, fmt.Errorf("received Redirect Status Code: %d, ", resp.StatusCode)
	}
	return resp, nil
}
