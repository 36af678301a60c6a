// Recall case sc-req-retrycanceled
// Source: github.com/imroc/req commit 5d1cb2b78f229ec0ccdbfd818a31b855c253863b (request.go)
// Link: https://github.com/imroc/req/commit/5d1cb2b78f229ec0ccdbfd818a31b855c253863b
// Bug: Request.do retries whenever roundTrip returns an error (default retry condition err != nil), including context.Canceled from the request ctx, so a cancelled request keeps sleeping and re-sending until MaxRetries.
// Fix: do records errors.Is(err, context.Canceled) right after the round trip and returns immediately instead of retrying when the context was cancelled.
// Rule: swallowcancel
package req

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"
)

// RetryConditionFunc is a retry condition, which determines
// whether the request should retry.
type RetryConditionFunc func(resp *Response, err error) bool

// RetryHookFunc is a retry hook which will be executed before a retry.
type RetryHookFunc func(resp *Response, err error)

// GetRetryIntervalFunc is a function that determines how long should
// sleep between retry attempts.
type GetRetryIntervalFunc func(resp *Response, attempt int) time.Duration

type retryOption struct {
	MaxRetries       int
	GetRetryInterval GetRetryIntervalFunc
	RetryConditions  []RetryConditionFunc
	RetryHooks       []RetryHookFunc
}

type ResponseMiddleware func(client *Client, resp *Response) error

type Client struct {
	httpClient    *http.Client
	afterResponse []ResponseMiddleware
}

type Response struct {
	*http.Response
	Err     error
	Request *Request
	body    []byte
}

type Request struct {
	Method        string
	URL           *url.URL
	Headers       http.Header
	Body          []byte
	RetryAttempt  int
	ctx           context.Context
	client        *Client
	retryOption   *retryOption
	afterResponse []ResponseMiddleware
}

// Context method returns the Context if its already set in request
// otherwise it creates new one using `context.Background()`.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		r.ctx = context.Background()
	}
	return r.ctx
}

// SetContext method sets the context.Context for current Request.
func (r *Request) SetContext(ctx context.Context) *Request {
	if ctx != nil {
		r.ctx = ctx
	}
	return r
}

// Do fires http request, 0 or 1 context is allowed, and returns the *Response which
// is always not nil, and Response.Err is not nil if error occurs.
func (r *Request) Do(ctx ...context.Context) *Response {
	if len(ctx) > 0 && ctx[0] != nil {
		r.ctx = ctx[0]
	}
	resp, _ := r.do()
	return resp
}

func (r *Request) do() (resp *Response, err error) {
	defer func() {
		if resp == nil {
			resp = &Response{Request: r}
		}
		if err != nil {
			resp.Err = err
		}
	}()

	for {
		if r.Headers == nil {
			r.Headers = make(http.Header)
		}

		resp, err = r.client.roundTrip(r)

		// Determine if the error is from a cancelled context. Store it here so it doesn't get lost
		// when processing the AfterRespon middleware.
		contextCanceled := errors.Is(err, context.Canceled)

		for _, f := range r.afterResponse {
			if err = f(r.client, resp); err != nil {
				return
			}
		}

		if contextCanceled || r.retryOption == nil || (r.RetryAttempt >= r.retryOption.MaxRetries && r.retryOption.MaxRetries >= 0) { // absolutely cannot retry.
			return
		}

		// check retry whether is needed.
		needRetry := err != nil                             // default behaviour: retry if error occurs
		if l := len(r.retryOption.RetryConditions); l > 0 { // override default behaviour if custom RetryConditions has been set.
			for i := l - 1; i >= 0; i-- {
				needRetry = r.retryOption.RetryConditions[i](resp, err)
				if needRetry {
					break
				}
			}
		}
		if !needRetry { // no retry is needed.
			return
		}

		// need retry, attempt to retry
		r.RetryAttempt++
		if l := len(r.retryOption.RetryHooks); l > 0 {
			for i := l - 1; i >= 0; i-- { // run retry hooks in reverse order
				r.retryOption.RetryHooks[i](resp, err)
			}
		}
		time.Sleep(r.retryOption.GetRetryInterval(resp, r.RetryAttempt))

		// clean up before retry
		resp.body = nil
	}
}

func (c *Client) roundTrip(r *Request) (resp *Response, err error) {
	resp = &Response{Request: r}
	defer func() {
		if err != nil {
			resp.Err = err
		} else {
			err = resp.Err
		}
	}()

	ctx := r.ctx

	req := &http.Request{
		Method:        r.Method,
		Header:        r.Headers.Clone(),
		URL:           r.URL,
		Host:          r.URL.Host,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		ContentLength: int64(len(r.Body)),
		Body:          io.NopCloser(bytes.NewReader(r.Body)),
	}
	if ctx != nil {
		req = req.WithContext(ctx)
	}

	var httpResponse *http.Response
	httpResponse, resp.Err = c.httpClient.Do(req)
	resp.Response = httpResponse

	// auto-read response body if possible
	if resp.Err == nil && resp.StatusCode > 199 {
		resp.body, resp.Err = io.ReadAll(httpResponse.Body)
		httpResponse.Body.Close()
	}
	return
}
