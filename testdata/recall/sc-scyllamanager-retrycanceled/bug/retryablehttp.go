// Recall case sc-scyllamanager-retrycanceled
// Source: github.com/scylladb/scylla-manager commit eef1665e2dc624adbaeb794652cbd4507b97f1cd (internal/retryablehttp/client.go)
// Link: https://github.com/scylladb/scylla-manager/commit/eef1665e2dc624adbaeb794652cbd4507b97f1cd
// Bug: the retrying RoundTrip asks CheckRetry/DefaultRetryPolicy whether to retry, and the policy retries on every transport error, including context.Canceled/DeadlineExceeded from the request's own context, so a cancelled request keeps being retried and finally ends as a generic "giving up after N attempts" error.
// Fix: CheckRetry now receives the request and DefaultRetryPolicy returns (false, req.Context().Err()) when the request context is done, stopping the retries and propagating the context error.
// Rule: swallowcancel
package scyllaclient

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"time"
)

var (
	// Default retry configuration
	defaultRetryWaitMin = 1 * time.Second
	defaultRetryWaitMax = 30 * time.Second
	defaultRetryMax     = 4

	// We need to consume response bodies to maintain http connections, but
	// limit the size we consume to respReadLimit.
	respReadLimit = int64(4096)
)

// CheckRetry specifies a policy for handling retries. It is called
// following each request with the response and error values returned by
// the http.Client. If CheckRetry returns false, the Client stops retrying
// and returns the response to the caller. If CheckRetry returns an error,
// that error value is returned in lieu of the error from the request.
type CheckRetry func(resp *http.Response, err error) (bool, error)

// Backoff specifies a policy for how long to wait between retries.
type Backoff func(min, max time.Duration, attemptNum int, resp *http.Response) time.Duration

// ErrorHandler is called if retries are expired.
type ErrorHandler func(resp *http.Response, err error, numTries int) (*http.Response, error)

// Transport is used to make HTTP requests. It adds additional functionality
// like automatic retries to tolerate minor outages.
type Transport struct {
	parent http.RoundTripper
	logger *slog.Logger

	RetryWaitMin time.Duration // Minimum time to wait
	RetryWaitMax time.Duration // Maximum time to wait
	RetryMax     int           // Maximum number of retries

	// CheckRetry specifies the policy for handling retries, and is called
	// after each request. The default policy is DefaultRetryPolicy.
	CheckRetry CheckRetry

	// Backoff specifies the policy for how long to wait between retries
	Backoff Backoff

	// ErrorHandler specifies the custom error handler to use, if any
	ErrorHandler ErrorHandler
}

// NewTransport creates a new Transport with default settings.
func NewTransport(parent http.RoundTripper, logger *slog.Logger) *Transport {
	return &Transport{
		parent:       parent,
		logger:       logger,
		RetryWaitMin: defaultRetryWaitMin,
		RetryWaitMax: defaultRetryWaitMax,
		RetryMax:     defaultRetryMax,
		CheckRetry:   DefaultRetryPolicy,
		Backoff:      DefaultBackoff,
	}
}

// DefaultRetryPolicy provides a default callback for Client.CheckRetry, which
// will retry on connection errors and server errors.
func DefaultRetryPolicy(resp *http.Response, err error) (bool, error) {
	if err != nil {
		return true, err
	}
	// Check the response code. We retry on 500-range responses to allow
	// the server time to recover, as 500's are typically not permanent
	// errors and may relate to outages on the server side. This will catch
	// invalid response codes as well, like 0 and 999.
	if resp.StatusCode == 0 || (resp.StatusCode >= 500 && resp.StatusCode != 501) {
		return true, nil
	}

	return false, nil
}

// DefaultBackoff provides a default callback for Client.Backoff which
// will perform exponential backoff based on the attempt number and limited
// by the provided minimum and maximum durations.
func DefaultBackoff(min, max time.Duration, attemptNum int, resp *http.Response) time.Duration {
	mult := math.Pow(2, float64(attemptNum)) * float64(min)
	sleep := time.Duration(mult)
	if float64(sleep) != mult || sleep > max {
		sleep = max
	}
	return sleep
}

// RoundTrip wraps calling parent RoundTrip method with retries.
func (t Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var (
		r    *http.Request
		resp *http.Response
		err  error
	)

	// Copy the request if contains body
	if req.Body != nil {
		r = new(http.Request)
		*r = *req
		r.Body = body{req.Body, false}
	} else {
		r = req
	}

	for i := 0; ; i++ {
		// Attempt the request
		resp, err = t.parent.RoundTrip(r)
		if err != nil {
			t.logger.InfoContext(r.Context(), "request failed",
				"method", r.Method,
				"uri", r.URL.RequestURI(),
				"error", err,
			)
		}

		// Check if we should continue with retries.
		checkOK, checkErr := t.CheckRetry(resp, err)

		// Now decide if we should continue.
		if !checkOK {
			if checkErr != nil {
				err = checkErr
			}
			return resp, err
		}

		// If body was read do not continue.
		if b, ok := r.Body.(body); ok && b.read {
			return resp, err
		}

		// We do this before drainBody because there's no need for the I/O if
		// we're breaking out
		remain := t.RetryMax - i
		if remain <= 0 {
			break
		}

		// We're going to retry, consume any response to reuse the connection.
		if err == nil && resp != nil {
			t.drainBody(resp)
		}

		wait := t.Backoff(t.RetryWaitMin, t.RetryWaitMax, i, resp)
		t.logger.InfoContext(r.Context(), "retrying",
			"method", r.Method,
			"uri", r.URL.RequestURI(),
			"wait", wait,
			"left", remain,
		)
		time.Sleep(wait)
	}

	if t.ErrorHandler != nil {
		return t.ErrorHandler(resp, err, t.RetryMax+1)
	}

	// By default, we close the response body and return an error without
	// returning the response
	if resp != nil {
		resp.Body.Close()
	}
	return nil, fmt.Errorf("%s %s giving up after %d attempts",
		req.Method, req.URL, t.RetryMax+1)
}

// Try to read the response body so we can reuse this connection.
func (t *Transport) drainBody(resp *http.Response) {
	defer resp.Body.Close()
	_, err := io.Copy(io.Discard, io.LimitReader(resp.Body, respReadLimit))
	if err != nil {
		t.logger.InfoContext(resp.Request.Context(), "error reading response body", "error", err)
	}
}

type body struct {
	io.ReadCloser
	read bool
}

func (c body) Read(bs []byte) (int, error) {
	if !c.read {
		c.read = true
	}
	return c.ReadCloser.Read(bs)
}
