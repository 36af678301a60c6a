// Recall case sc-restful-retrycancel
// Source: github.com/nokia/restful commit 4e95a7fbc8bcba979ce31a8e3488b374a436f785 (client.go)
// Link: https://github.com/nokia/restful/commit/4e95a7fbc8bcba979ce31a8e3488b374a436f785
// Bug: Client.Do retries every failed transmission (resp == nil) including ones that failed with context.Canceled / context.DeadlineExceeded, so a cancelled request is re-sent in a loop until the retry budget is spent.
// Fix: The retry loop condition adds !errDeadlineOrCancel(err), stopping retries once the error is a context cancel/deadline error.
// Rule: swallowcancel
package restful

import (
	"context"
	"log"
	"net/http"
	"net/url"
	"time"
)

// Client is an instance of RESTful client.
type Client struct {
	client           *http.Client
	rootURL          string
	userAgent        string
	retries          int
	retryBackoffInit time.Duration
	retryBackoffMax  time.Duration
}

// Retry sets the number of times and backoff sleep a client retransmits the request
// if connection failed or gateway returned errors 502, 503 or 504.
func (c *Client) Retry(retries int, backoffInit time.Duration, backoffMax time.Duration) *Client {
	c.retries = retries
	if backoffMax < backoffInit {
		backoffMax = backoffInit * (1 << 7)
	}
	c.retryBackoffInit = backoffInit
	c.retryBackoffMax = backoffMax
	c.client.Timeout = 2 * backoffInit
	return c
}

// Do sends an HTTP request and returns an HTTP response.
// If URL of req is relative path then root defined at client.Root is added as prefix.
// Do(ctx, req) is somewhat like Do(req.WithContext(ctx)) of http.Client.
func (c *Client) Do(ctx context.Context, req *http.Request) (*http.Response, error) {
	if req.Header == nil {
		req.Header = make(http.Header)
	}

	req = req.WithContext(ctx)

	target, err := c.setReqTarget(req)
	if err != nil {
		return nil, err
	}

	if c.userAgent != "" && req.Header.Get("User-agent") == "" {
		req.Header.Set("User-agent", c.userAgent)
	}

	log.Printf("Sent req: %s", target)
	resp, err := c.do(req)

	for retries := 0; retries < c.retries && (resp == nil || (resp.StatusCode >= 502 && resp.StatusCode <= 504)); retries++ { // Gateway error responses.
		if resp != nil {
			_ = resp.Body.Close()
		}

		time.Sleep(c.calcBackoff(retries))
		log.Printf("Send rty(%d): %s", retries, target)
		resp, err = c.do(req)
	}
	if err != nil {
		return nil, err
	}

	log.Printf("Recv rsp %d (%v)", resp.StatusCode, resp.Status)
	return resp, err
}

func (c *Client) setReqTarget(req *http.Request) (target string, err error) {
	target = req.URL.String()
	if len(target) == 0 || target[0] == '/' {
		target = c.rootURL + target
		req.URL, err = url.Parse(target)
	}
	return
}

func (c *Client) do(req *http.Request) (resp *http.Response, err error) {
	resp, err = c.client.Do(req)

	// Workaround for https://github.com/golang/go/issues/36026
	if err, ok := err.(*url.Error); ok && err.Timeout() {
		c.client.CloseIdleConnections()
	}

	return
}

func (c *Client) calcBackoff(retry int) time.Duration {
	backoff := (1 << retry) * c.retryBackoffInit
	if backoff > c.retryBackoffMax || backoff == 0 {
		backoff = c.retryBackoffMax
	}
	return backoff
}
