// Recall case sc-heimdall-retry-cancel
// Source: github.com/gojek/heimdall commit 69450253b5aa832a957716fb6927303bbd991930 (httpclient/client.go)
// Link: https://github.com/gojek/heimdall/commit/69450253b5aa832a957716fb6927303bbd991930   (PR https://github.com/gojek/heimdall/pull/144)
// Bug: Client.Do treats a context.Canceled/DeadlineExceeded error from c.client.Do like any transient failure: it records it and `continue`s, sleeping time.Sleep(NextInterval) and retrying the already-cancelled request until retryCount is used up.
// Fix: the retry sleep becomes internal.SleepInterruptible(request.Context(), ...) and the loop breaks out when internal.IsCtxDone(request.Context()) after an error or a 5xx.
// Rule: swallowcancel
package httpclient

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"time"
)

// ---- stand-ins for heimdall interfaces, valkyrie.MultiError and heimdall/internal ----

// Doer interface has the method required to use a type as custom http client.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Retriable defines contract for retriers to implement
type Retriable interface {
	NextInterval(retry int) time.Duration
}

// Plugin defines the interface that a heimdall plugin must implement.
type Plugin interface {
	OnRequestStart(*http.Request)
	OnRequestEnd(*http.Request, *http.Response)
	OnError(*http.Request, error)
}

// MultiError collects error messages (stand-in for github.com/gojek/valkyrie).
type MultiError struct {
	errs []string
}

// Push adds an error message.
func (m *MultiError) Push(errString string) { m.errs = append(m.errs, errString) }

// HasError returns the combined error, or nil.
func (m *MultiError) HasError() error {
	if len(m.errs) == 0 {
		return nil
	}
	return m
}

func (m *MultiError) Error() string { return strings.Join(m.errs, "; ") }

// RequestGetBody is heimdall/internal.RequestGetBody.
type RequestGetBody func() (io.ReadCloser, error)

// SetRequestGetBody is heimdall/internal.SetRequestGetBody.
func SetRequestGetBody(r *http.Request) error {
	if r == nil || r.Body == nil || r.GetBody != nil {
		return nil
	}
	if r.Body == http.NoBody {
		r.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
		return nil
	}
	buf, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(buf))
	r.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(buf)), nil
	}
	return nil
}

// CloneRequest is heimdall/internal.CloneRequest.
func CloneRequest(request *http.Request, getReqBody RequestGetBody) (*http.Request, error) {
	if request == nil || getReqBody == nil {
		return request, nil
	}
	body, err := getReqBody()
	if err != nil {
		return nil, err
	}
	request = request.WithContext(request.Context())
	request.Body = body
	return request, nil
}

// ---- httpclient/client.go ----

// Client is the http client implementation
type Client struct {
	client     Doer
	retrier    Retriable
	plugins    []Plugin
	timeout    time.Duration
	retryCount int
}

const (
	defaultRetryCount  = 0
	defaultHTTPTimeout = 30 * time.Second
)

// NewClient returns a new instance of http Client
func NewClient(retrier Retriable, retryCount int) *Client {
	client := Client{
		timeout:    defaultHTTPTimeout,
		retryCount: retryCount,
		retrier:    retrier,
	}

	if client.client == nil {
		client.client = &http.Client{
			Timeout: client.timeout,
		}
	}

	return &client
}

// Do makes an HTTP request with the native `http.Do` interface
func (c *Client) Do(request *http.Request) (*http.Response, error) {
	if origReqBody := request.Body; origReqBody != nil {
		defer func() {
			_ = origReqBody.Close()
		}()
	}

	var reqGetBody RequestGetBody
	var err error
	if c.retryCount > 0 {
		if err = SetRequestGetBody(request); err != nil {
			return nil, err
		}
		reqGetBody = request.GetBody
	}

	multiErr := &MultiError{}
	var response *http.Response

	for i := 0; i <= c.retryCount; i++ {
		if response != nil {
			_, _ = io.Copy(io.Discard, response.Body)
			_ = response.Body.Close()
		}
		if i > 0 {
			time.Sleep(c.retrier.NextInterval(i - 1)) // sleep after closing the previous response body

			request, err = CloneRequest(request, reqGetBody) // Clone the request to reset the body for retry
			if err != nil {
				return nil, err
			}
		}

		c.reportRequestStart(request)
		var err error
		response, err = c.client.Do(request)

		if err != nil {
			multiErr.Push(err.Error())
			c.reportError(request, err)
			continue
		}
		c.reportRequestEnd(request, response)

		if response.StatusCode >= http.StatusInternalServerError {
			continue
		}

		multiErr = &MultiError{} // Clear errors if any iteration succeeds
		break
	}

	return response, multiErr.HasError()
}

func (c *Client) reportRequestStart(request *http.Request) {
	for _, plugin := range c.plugins {
		plugin.OnRequestStart(request)
	}
}

func (c *Client) reportError(request *http.Request, err error) {
	for _, plugin := range c.plugins {
		plugin.OnError(request, err)
	}
}

func (c *Client) reportRequestEnd(request *http.Request, response *http.Response) {
	for _, plugin := range c.plugins {
		plugin.OnRequestEnd(request, response)
	}
}
