// Recall case sc-stripe-go-retry
// Source: github.com/stripe/stripe-go commit 341a41384eca13a30e52a125a8165cf416d2e728 (stripe.go)
// Link: https://github.com/stripe/stripe-go/commit/341a41384eca13a30e52a125a8165cf416d2e728
// Bug: shouldRetry treats every non-Stripe error from HTTPClient.Do as retryable, including context.Canceled / context.DeadlineExceeded from the request's context, so Do keeps re-sending (and sleeping) after the caller's context is done.
// Fix: shouldRetry returns false when req.Context().Err() != nil, so a cancelled/expired context ends the retry loop and its error is returned.
// Rule: swallowcancel
package stripe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net/http"
	"time"
)

const (
	minNetworkRetriesDelay = 500 * time.Millisecond
	maxNetworkRetriesDelay = 5 * time.Second
	ErrorCodeLockTimeout   = "lock_timeout"
)

// Error is the Stripe API error.
type Error struct {
	HTTPStatusCode int    `json:"status"`
	Code           string `json:"code"`
	Msg            string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("stripe: %d %s %s", e.HTTPStatusCode, e.Code, e.Msg) }

// Params carries the per-request context.
type Params struct {
	Context context.Context
}

type nopReadCloser struct{ io.Reader }

func (nopReadCloser) Close() error { return nil }

// BackendImplementation is the internal implementation for making HTTP calls
// to Stripe.
type BackendImplementation struct {
	URL               string
	HTTPClient        *http.Client
	MaxNetworkRetries int64

	networkRetriesSleep bool
}

// NewRequest is used by Call to generate an http.Request.
func (s *BackendImplementation) NewRequest(method, path, key, contentType string, params *Params) (*http.Request, error) {
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(key, "")
	req.Header.Add("Content-Type", contentType)
	if params != nil && params.Context != nil {
		req = req.WithContext(params.Context)
	}
	return req, nil
}

// Do is used by Call to execute an API request and parse the response. It uses
// the backend's HTTP client to execute the request and unmarshals the response
// into v. It also handles unmarshaling errors returned by the API.
func (s *BackendImplementation) Do(req *http.Request, body *bytes.Buffer, v any) error {
	var res *http.Response
	var err error
	var resBody []byte
	for retry := 0; ; {
		start := time.Now()

		if body != nil {
			reader := bytes.NewReader(body.Bytes())
			req.Body = nopReadCloser{reader}
			req.GetBody = func() (io.ReadCloser, error) {
				return nopReadCloser{bytes.NewReader(body.Bytes())}, nil
			}
		}

		res, err = s.HTTPClient.Do(req)
		log.Printf("Request completed in %v (retry: %v)", time.Since(start), retry)

		if err == nil {
			resBody, err = io.ReadAll(res.Body)
			res.Body.Close()
		}

		if err != nil {
			log.Printf("Request failed with error: %v", err)
		} else if res.StatusCode >= 400 {
			err = s.ResponseToError(res, resBody)
		}

		// If the response was okay, or an error that shouldn't be retried,
		// we're done, and it's safe to leave the retry loop.
		if !s.shouldRetry(err, req, res, retry) {
			break
		}

		sleepDuration := s.sleepTime(retry)
		retry++

		log.Printf("Initiating retry %v for request %v %v%v after sleeping %v",
			retry, req.Method, req.URL.Host, req.URL.Path, sleepDuration)

		time.Sleep(sleepDuration)
	}

	if err != nil {
		return err
	}
	return json.Unmarshal(resBody, v)
}

// ResponseToError converts a stripe response to an Error.
func (s *BackendImplementation) ResponseToError(res *http.Response, resBody []byte) error {
	var raw struct {
		E *Error `json:"error"`
	}
	if err := json.Unmarshal(resBody, &raw); err != nil || raw.E == nil {
		return fmt.Errorf("could not decode error (status %d): %s", res.StatusCode, resBody)
	}
	raw.E.HTTPStatusCode = res.StatusCode
	return raw.E
}

// Checks if an error is a problem that we should retry on. This includes both
// socket errors that may represent an intermittent problem and some special
// HTTP statuses.
func (s *BackendImplementation) shouldRetry(err error, req *http.Request, resp *http.Response, numRetries int) bool {
	if numRetries >= int(s.MaxNetworkRetries) {
		return false
	}

	stripeErr, _ := err.(*Error)

	// TODO: This retries any non-Stripe errors produced as part of the
	// communication process. It generally works, but there are many errors
	// that should *not* be retried. Try to make this more granular by
	// including only connection errors, timeout errors, etc.
	if stripeErr == nil && err != nil {
		return true
	}

	// The API may ask us not to retry (e.g. if doing so would be a no-op), or
	// advise us to retry (e.g. in cases of lock timeouts).
	if resp.Header.Get("Stripe-Should-Retry") == "false" {
		return false
	}
	if resp.Header.Get("Stripe-Should-Retry") == "true" {
		return true
	}

	// 409 Conflict
	if resp.StatusCode == http.StatusConflict {
		return true
	}

	// 429 Too Many Requests: only lock timeouts are safe to retry.
	if resp.StatusCode == http.StatusTooManyRequests {
		if stripeErr != nil && stripeErr.Code == ErrorCodeLockTimeout {
			return true
		}
	}

	// 500 Internal Server Error, for non-POST requests.
	if resp.StatusCode >= http.StatusInternalServerError && req.Method != http.MethodPost {
		return true
	}

	// 503 Service Unavailable
	if resp.StatusCode == http.StatusServiceUnavailable {
		return true
	}

	return false
}

func (s *BackendImplementation) sleepTime(numRetries int) time.Duration {
	// We disable sleeping in some cases for tests.
	if !s.networkRetriesSleep {
		return 0 * time.Second
	}

	delay := minNetworkRetriesDelay + minNetworkRetriesDelay*time.Duration(numRetries*numRetries)
	if delay > maxNetworkRetriesDelay {
		delay = maxNetworkRetriesDelay
	}
	jitter := rand.Int63n(int64(delay / 4))
	delay -= time.Duration(jitter)
	if delay < minNetworkRetriesDelay {
		delay = minNetworkRetriesDelay
	}
	return delay
}
