// Recall case sd-elastic-healthcheck
// Source: github.com/olivere/elastic commit b100010e06d4b7d70faf4a0d040586a526629e40 (client.go)
// Link: https://github.com/olivere/elastic/commit/b100010e06d4b7d70faf4a0d040586a526629e40
// Bug: startupHealthcheck receives the caller's parentCtx but builds each HEAD request's context from context.WithTimeout(context.Background(), timeout), so cancelling or a shorter deadline on the DialContext ctx does not abort the in-flight health-check requests.
// Fix: derive the per-request context from parentCtx: context.WithTimeout(parentCtx, timeout).
// Rule: sharedeadline
package elastic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const (
	DefaultURL                       = "http://127.0.0.1:9200"
	DefaultHealthcheckTimeoutStartup = 5 * time.Second
)

var ErrNoClient = errors.New("no Elasticsearch node available")

// Client is an Elasticsearch client.
type Client struct {
	c *http.Client

	mu                        sync.RWMutex
	urls                      []string
	basicAuth                 bool
	basicAuthUsername         string
	basicAuthPassword         string
	healthcheckEnabled        bool
	healthcheckTimeoutStartup time.Duration
}

type ClientOptionFunc func(*Client) error

func SetURL(urls ...string) ClientOptionFunc {
	return func(c *Client) error {
		c.urls = urls
		return nil
	}
}

// SetHttpClient can be used to specify the http.Client to use.
func SetHttpClient(httpClient *http.Client) ClientOptionFunc {
	return func(c *Client) error {
		if httpClient != nil {
			c.c = httpClient
		}
		return nil
	}
}

// DialContext will connect to Elasticsearch, just like NewClient does.
func DialContext(ctx context.Context, options ...ClientOptionFunc) (*Client, error) {
	c := &Client{
		c:                         &http.Client{Timeout: 30 * time.Second},
		healthcheckEnabled:        true,
		healthcheckTimeoutStartup: DefaultHealthcheckTimeoutStartup,
	}
	for _, option := range options {
		if err := option(c); err != nil {
			return nil, err
		}
	}

	if len(c.urls) == 0 {
		c.urls = []string{DefaultURL}
	}

	// If the URLs have auth info, use them here as an alternative to SetBasicAuth
	if !c.basicAuth {
		for _, urlStr := range c.urls {
			u, err := url.Parse(urlStr)
			if err == nil && u.User != nil {
				c.basicAuth = true
				c.basicAuthUsername = u.User.Username()
				c.basicAuthPassword, _ = u.User.Password()
				break
			}
		}
	}

	// Check if we can make a request to any of the specified URLs
	if c.healthcheckEnabled {
		if err := c.startupHealthcheck(ctx, c.healthcheckTimeoutStartup); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// startupHealthcheck is used at startup to check if the server is available
// at all.
func (c *Client) startupHealthcheck(parentCtx context.Context, timeout time.Duration) error {
	c.mu.Lock()
	urls := c.urls
	basicAuth := c.basicAuth
	basicAuthUsername := c.basicAuthUsername
	basicAuthPassword := c.basicAuthPassword
	c.mu.Unlock()

	// If we don't get a connection after "timeout", we bail.
	var lastErr error
	start := time.Now()
	done := false
	for !done {
		for _, url := range urls {
			req, err := http.NewRequest("HEAD", url, nil)
			if err != nil {
				return err
			}
			if basicAuth {
				req.SetBasicAuth(basicAuthUsername, basicAuthPassword)
			}
			ctx, cancel := context.WithTimeout(parentCtx, timeout)
			defer cancel()
			req = req.WithContext(ctx)
			res, err := c.c.Do(req)
			if err == nil && res != nil && res.StatusCode >= 200 && res.StatusCode < 300 {
				return nil
			} else if err != nil {
				lastErr = err
			}
		}
		select {
		case <-parentCtx.Done():
			lastErr = parentCtx.Err()
			done = true
			break
		case <-time.After(1 * time.Second):
			if time.Since(start) > timeout {
				done = true
				break
			}
		}
	}
	if lastErr != nil {
		if IsContextErr(lastErr) {
			return lastErr
		}
		return fmt.Errorf("health check timeout: %v: %w", lastErr, ErrNoClient)
	}
	return fmt.Errorf("health check timeout: %w", ErrNoClient)
}

// IsContextErr returns true if the error is from a context that was canceled or deadline exceeded
func IsContextErr(err error) bool {
	if err == context.Canceled || err == context.DeadlineExceeded {
		return true
	}
	// This happens e.g. on redirect errors, see https://golang.org/src/net/http/client_test.go#L329
	if ue, ok := err.(*url.Error); ok {
		if ue.Temporary() {
			return true
		}
		// Use of an AWS Signing Transport can result in a wrapped url.Error
		return IsContextErr(ue.Err)
	}
	return false
}
