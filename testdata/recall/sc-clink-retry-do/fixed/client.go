// Recall case sc-clink-retry-do
// Source: github.com/davesavic/clink commit acd3579228548e9d2f2c858bf4498cee21df161b (client.go)
// Link: https://github.com/davesavic/clink/commit/acd3579228548e9d2f2c858bf4498cee21df161b
// Bug: Client.Do retries HttpClient.Do in a loop even when the request's context is already canceled or past its deadline, so context.Canceled/DeadlineExceeded is retried MaxRetries times (with a time.Sleep backoff) instead of being returned.
// Fix: after each attempt Do returns the wrapped req.Context().Err() (%w) and the backoff selects on req.Context().Done(), stopping the retries.
// Rule: swallowcancel
package clink

import (
	"fmt"
	"net/http"
	"time"
)

// Client is a wrapper around http.Client with additional functionality.
type Client struct {
	HttpClient      *http.Client
	Headers         map[string]string
	MaxRetries      int
	ShouldRetryFunc func(*http.Request, *http.Response, error) bool
}

// Option configures a Client.
type Option func(*Client)

// WithClient sets the underlying http.Client.
func WithClient(hc *http.Client) Option {
	return func(c *Client) { c.HttpClient = hc }
}

// WithRetries sets the retry count and retry predicate.
func WithRetries(count int, retryFunc func(*http.Request, *http.Response, error) bool) Option {
	return func(c *Client) {
		c.MaxRetries = count
		c.ShouldRetryFunc = retryFunc
	}
}

// NewClient creates a new client with the given options.
func NewClient(opts ...Option) *Client {
	c := defaultClient()

	for _, opt := range opts {
		opt(c)
	}

	return c
}

func defaultClient() *Client {
	return &Client{
		HttpClient: http.DefaultClient,
		Headers:    make(map[string]string),
	}
}

// Do sends the given request and returns the response.
// If the request fails, the client will retry the request the number of times specified by MaxRetries.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	for key, value := range c.Headers {
		req.Header.Set(key, value)
	}

	var resp *http.Response
	var err error

	for attempt := 0; attempt <= c.MaxRetries; attempt++ {
		resp, err = c.HttpClient.Do(req)

		if req.Context().Err() != nil {
			return nil, fmt.Errorf("request context error: %w", req.Context().Err())
		}

		if c.ShouldRetryFunc != nil && !c.ShouldRetryFunc(req, resp, err) {
			break
		}

		if attempt < c.MaxRetries {
			select {
			case <-time.After(time.Duration(attempt) * time.Second):
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
		}
	}

	if err != nil {
		return nil, fmt.Errorf("failed to do request: %w", err)
	}

	return resp, nil
}
