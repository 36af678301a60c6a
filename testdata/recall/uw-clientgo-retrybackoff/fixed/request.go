// Recall case uw-clientgo-retrybackoff
// Source: github.com/kubernetes/client-go commit 7aa9904196bfe2f610273550f8abf07e3ea3a16b (rest/request.go)
// Link: https://github.com/kubernetes/client-go/commit/7aa9904196bfe2f610273550f8abf07e3ea3a16b
// Bug: Request.request(ctx) -> withRetry.Before(ctx, r) -> request.backoff.Sleep(delay) -> NoBackoff.Sleep = time.Sleep(d); the Retry-After/backoff sleep between attempts ignores ctx cancellation and deadline.
// Fix: BackoffManagerWithContext; Before calls request.backoff.SleepWithContext(ctx, delay), which selects on ctx.Done() and a timer.
// Rule: uncancellablewait

package rest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"syscall"
	"time"
)

// Request allows for building up a request to a server in a chained fashion.
type Request struct {
	c *RESTClient

	backoff    BackoffManagerWithContext
	timeout    time.Duration
	maxRetries int

	verb       string
	pathPrefix string

	err error

	body io.Reader

	retryFn func(maxRetries int) WithRetry
}

// NewRequest creates a new request helper object for accessing runtime.Objects on a server.
func NewRequest(c *RESTClient) *Request {
	var backoff BackoffManagerWithContext
	if c.createBackoffMgr != nil {
		backoff = c.createBackoffMgr()
	}
	if backoff == nil {
		backoff = &NoBackoff{}
	}

	var pathPrefix string
	if c.base != nil {
		pathPrefix = path.Join("/", c.base.Path)
	}

	return &Request{
		c:          c,
		backoff:    backoff,
		maxRetries: 10,
		pathPrefix: pathPrefix,
		retryFn: func(maxRetries int) WithRetry {
			return &withRetry{maxRetries: maxRetries}
		},
	}
}

// Verb sets the verb this request will use.
func (r *Request) Verb(verb string) *Request {
	r.verb = verb
	return r
}

// AbsPath overwrites an existing path with the segments provided.
func (r *Request) AbsPath(segments ...string) *Request {
	r.pathPrefix = path.Join(append([]string{r.pathPrefix}, segments...)...)
	return r
}

// Timeout makes the request use the given duration as an overall timeout for the
// request.
func (r *Request) Timeout(d time.Duration) *Request {
	r.timeout = d
	return r
}

// URL returns the current working URL.
func (r *Request) URL() *url.URL {
	finalURL := &url.URL{}
	if r.c.base != nil {
		*finalURL = *r.c.base
	}
	finalURL.Path = r.pathPrefix
	return finalURL
}

func (r *Request) newHTTPRequest(ctx context.Context) (*http.Request, error) {
	url := r.URL().String()
	req, err := http.NewRequestWithContext(ctx, r.verb, url, r.body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

func (r *Request) request(ctx context.Context, fn func(*http.Request, *http.Response)) error {
	if r.err != nil {
		return r.err
	}

	client := r.c.Client
	if client == nil {
		client = http.DefaultClient
	}

	if r.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}

	isErrRetryableFunc := func(req *http.Request, err error) bool {
		// "Connection reset by peer" or "apiserver is shutting down" are usually a transient errors.
		// Thus in case of "GET" operations, we simply retry it.
		// We are not automatically retrying "write" operations, as they are not idempotent.
		if req.Method != "GET" {
			return false
		}
		// For connection errors and apiserver shutdown errors retry.
		if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return true
		}
		return false
	}

	// Right now we make about ten retry attempts if we get a Retry-After response.
	retry := r.retryFn(r.maxRetries)
	for {
		if err := retry.Before(ctx, r); err != nil {
			return retry.WrapPreviousError(err)
		}
		req, err := r.newHTTPRequest(ctx)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		retry.After(ctx, r, resp, err)

		done := func() bool {
			defer readAndCloseResponseBody(resp)

			// if the server returns an error in err, the response will be nil.
			f := func(req *http.Request, resp *http.Response) {
				if resp == nil {
					return
				}
				fn(req, resp)
			}

			if retry.IsNextRetry(ctx, r, req, resp, err, isErrRetryableFunc) {
				return false
			}

			f(req, resp)
			return true
		}()
		if done {
			return retry.WrapPreviousError(err)
		}
	}
}

// Result contains the result of calling Request.Do().
type Result struct {
	body       []byte
	statusCode int
	err        error
}

// Do formats and executes the request. Returns a Result object for easy response
// processing.
func (r *Request) Do(ctx context.Context) Result {
	var result Result
	err := r.request(ctx, func(req *http.Request, resp *http.Response) {
		result.statusCode = resp.StatusCode
		result.body, result.err = io.ReadAll(resp.Body)
	})
	if err != nil {
		return Result{err: err}
	}
	return result
}

// Raw returns the raw result.
func (r Result) Raw() ([]byte, error) {
	return r.body, r.err
}
