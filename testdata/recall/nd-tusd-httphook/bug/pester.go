// Recall case nd-tusd-httphook
// Source: github.com/tus/tusd commit f1b1263aaee508a80303ae7f2f5bbfa4c0e6949a (pkg/hooks/http/http.go)
// Link: https://github.com/tus/tusd/commit/f1b1263aaee508a80303ae7f2f5bbfa4c0e6949a
// Bug: InvokeHook builds the hook POST with http.NewRequest (no context) and sends it through a pester client whose http.Client has no Timeout, so a hook endpoint that never answers blocks the upload request forever.
// Fix: the request is created with http.NewRequestWithContext on the hook event context wrapped in context.WithTimeout(ctx, h.Timeout).
// Rule: nodeadline
package http

import (
	"net/http"
	"time"
)

// Client is a small stand-in for github.com/sethgrid/pester.Client: it wraps
// an *http.Client (no Timeout by default) and retries failed requests.
type Client struct {
	hc         *http.Client
	KeepLog    bool
	MaxRetries int
	Backoff    func(retry int) time.Duration
}

// New mirrors pester.New: it uses a plain http.Client without any timeout.
func New() *Client {
	return &Client{hc: &http.Client{}, MaxRetries: 3, Backoff: func(int) time.Duration { return time.Second }}
}

// Do sends req, retrying up to MaxRetries times.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	var lastErr error
	for i := 0; i <= c.MaxRetries; i++ {
		resp, err := c.hc.Do(req)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			resp.Body.Close()
		}
		lastErr = err
		select {
		case <-time.After(c.Backoff(i)):
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	return nil, lastErr
}
