// Recall case sd-synthetic-monitoring-agent-promstore
// Source: github.com/grafana/synthetic-monitoring-agent commit cbeb2b454623a3c5a7de533ffeef4045f3bd0428 (internal/pkg/prom/prom.go)
// Link: https://github.com/grafana/synthetic-monitoring-agent/commit/cbeb2b454623a3c5a7de533ffeef4045f3bd0428
// Bug: Client.Store receives the caller's ctx but sends the remote-write request with context.WithTimeout(context.Background(), c.timeout), replacing the request's context, so the caller's cancellation/deadline (and SendBytesWithBackoff's ctx) is ignored for every attempt.
// Fix: the per-request timeout is derived from the caller: context.WithTimeout(ctx, c.timeout).
// Rule: sharedeadline
package prom

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

const maxErrMsgLen = 256

var (
	maxRetries = 10
	minBackoff = 30 * time.Millisecond
	maxBackoff = 250 * time.Millisecond
)

type recoverableError struct {
	error
}

func NewRecoverableError(cause error) error {
	return recoverableError{cause}
}

type httpError struct {
	StatusCode int
	Status     string
	error
}

func GetHttpStatusCode(err error) (int, bool) {
	for ; err != nil; err = errors.Unwrap(err) {
		err2, ok := err.(*httpError)
		if ok {
			return err2.StatusCode, true
		}
	}

	return 0, false
}

type PrometheusClient interface {
	Store(ctx context.Context, req []byte) error
	CountRetries(retries float64)
}

func SendBytesWithBackoff(ctx context.Context, client PrometheusClient, req []byte) error {
	clampBackoff := func(a time.Duration) time.Duration {
		if a > maxBackoff {
			return maxBackoff
		}
		return a
	}

	var err error

	backoff := minBackoff

	retries := maxRetries
	defer func() {
		client.CountRetries(float64(maxRetries - retries))
	}()
	for retries > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}

		err = client.Store(ctx, req)

		if err == nil {
			return nil
		}

		if _, ok := err.(recoverableError); !ok {
			return err
		}

		retries--

		if retries > 0 {
			time.Sleep(backoff)
			backoff = clampBackoff(2 * backoff)
		}
	}

	return err
}

type Client struct {
	remoteName       string
	url              *url.URL
	client           *http.Client
	timeout          time.Duration
	headers          map[string]string
	countRetriesFunc func(float64)
}

// NewClient creates a new Client.
func NewClient(remoteName string, u *url.URL, timeout time.Duration, userAgent string, retriesCounter func(float64)) *Client {
	return &Client{
		remoteName:       remoteName,
		url:              u,
		client:           &http.Client{Transport: http.DefaultTransport},
		timeout:          timeout,
		headers:          map[string]string{"User-Agent": userAgent},
		countRetriesFunc: retriesCounter,
	}
}

func (c *Client) CountRetries(retries float64) {
	c.countRetriesFunc(retries)
}

// Store sends a batch of samples to the HTTP endpoint, the request is the proto marshalled
// and encoded bytes from codec.go.
func (c *Client) Store(ctx context.Context, req []byte) error {
	httpReq, err := http.NewRequest("POST", c.url.String(), bytes.NewReader(req))
	if err != nil {
		// Errors from NewRequest are from unparsable URLs, so are not
		// recoverable.
		return err
	}
	httpReq.Header.Add("Content-Encoding", "snappy")
	httpReq.Header.Set("Content-Type", "application/x-protobuf")

	for k, v := range c.headers {
		httpReq.Header.Set(k, v)
	}
	httpReq = httpReq.WithContext(ctx)

	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()

	httpResp, err := c.client.Do(httpReq.WithContext(ctx))
	if err != nil {
		// Errors from client.Do are from (for example) network errors, so are
		// recoverable.
		return NewRecoverableError(err)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, httpResp.Body)
		_ = httpResp.Body.Close()
	}()

	if httpResp.StatusCode/100 != 2 {
		scanner := bufio.NewScanner(io.LimitReader(httpResp.Body, maxErrMsgLen))
		line := ""
		if scanner.Scan() {
			line = scanner.Text()
		}
		err = &httpError{
			Status:     httpResp.Status,
			StatusCode: httpResp.StatusCode,
			error:      fmt.Errorf("server returned HTTP status %s: %s", httpResp.Status, line),
		}
	}
	if httpResp.StatusCode/100 == 5 {
		return NewRecoverableError(err)
	}
	return err
}
