// Recall case sc-pebble-retrycancel
// Source: github.com/canonical/pebble commit 2322e665a070fa94ed6fa2e58a0b55762abb7ea2 (client/client.go)
// Link: https://github.com/canonical/pebble/commit/2322e665a070fa94ed6fa2e58a0b55762abb7ea2
// Bug: In the GET retry loop, when the retry ticker and ctx.Done() are ready at the same time the select may pick the ticker and `continue`, so the request is dispatched again after the caller's context was cancelled (cancellation is retried instead of stopping the loop).
// Fix: The ticker case only continues when ctx.Err() == nil, otherwise it falls through to break and returns the error.
// Rule: swallowcancel
package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"time"
)

type doer interface {
	Do(*http.Request) (*http.Response, error)
}

// RequestError is returned when the request could not be built.
type RequestError struct{ error }

func (e RequestError) Error() string { return fmt.Sprintf("cannot build request: %v", e.error) }

// ConnectionError is returned when the server could not be reached.
type ConnectionError struct {
	error
}

func (e ConnectionError) Error() string {
	return fmt.Sprintf("cannot communicate with server: %v", e.error)
}

func (e ConnectionError) Unwrap() error { return e.error }

type defaultRequester struct {
	baseURL       *url.URL
	doer          doer
	userAgent     string
	basicUsername string
	basicPassword string
}

func newDefaultRequester(baseURL string) (*defaultRequester, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	return &defaultRequester{baseURL: u, doer: &http.Client{}}, nil
}

func (rq *defaultRequester) dispatch(ctx context.Context, method, urlpath string, query url.Values, headers map[string]string, body io.Reader) (*http.Response, error) {
	// Do not mutate the requester baseURL.
	u := *rq.baseURL
	u.Path = path.Join(rq.baseURL.Path, urlpath)
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, RequestError{err}
	}
	if rq.userAgent != "" {
		req.Header.Set("User-Agent", rq.userAgent)
	}
	req.Header.Set("Content-Type", "application/json")

	if rq.basicUsername != "" && rq.basicPassword != "" {
		req.SetBasicAuth(rq.basicUsername, rq.basicPassword)
	}

	for key, value := range headers {
		req.Header.Set(key, value)
	}

	rsp, err := rq.doer.Do(req)
	if err != nil {
		return nil, ConnectionError{err}
	}

	return rsp, nil
}

var (
	doRetry   = 250 * time.Millisecond
	doTimeout = 5 * time.Second
)

// retry builds in a retry mechanism for GET failures.
func (rq *defaultRequester) retry(ctx context.Context, method, urlpath string, query url.Values, headers map[string]string, body io.Reader) (*http.Response, error) {
	retry := time.NewTicker(doRetry)
	defer retry.Stop()
	timeout := time.After(doTimeout)
	var rsp *http.Response
	var err error
	for {
		rsp, err = rq.dispatch(ctx, method, urlpath, query, headers, body)
		if err == nil || method != "GET" {
			break
		}
		select {
		case <-retry.C:
			if ctx.Err() == nil {
				continue
			}
		case <-timeout:
		case <-ctx.Done():
		}
		break
	}
	if err != nil {
		return nil, err
	}
	return rsp, nil
}

// RequestOptions holds the options of a request.
type RequestOptions struct {
	Method  string
	Path    string
	Query   url.Values
	Headers map[string]string
	Body    io.Reader
}

// Do performs the HTTP request according to the provided options, possibly retrying GET requests
// if appropriate for the status reported by the server.
func (rq *defaultRequester) Do(ctx context.Context, opts *RequestOptions) (*http.Response, error) {
	httpResp, err := rq.retry(ctx, opts.Method, opts.Path, opts.Query, opts.Headers, opts.Body)
	if err != nil {
		return nil, err
	}
	return httpResp, nil
}
