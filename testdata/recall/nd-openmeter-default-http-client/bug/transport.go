// Recall case nd-openmeter-default-http-client
// Source: github.com/openmeterio/openmeter commit 93eb10f7bc69fd1a223b68158bad09f0dcafec8c (sdk/go/openmeter/transport.go)
// Link: https://github.com/openmeterio/openmeter/commit/93eb10f7bc69fd1a223b68158bad09f0dcafec8c
// Bug: The SDK's default *http.Client wraps a retrying client whose inner http.Client has no Timeout, so when the caller passes a context without deadline a stalled connection blocks the request forever.
// Fix: defaultHTTPClient sets a 30s per-attempt Timeout on the inner http.Client.
// Rule: nodeadline
package openmeter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	contentTypeJSON = "application/json"
	metersBasePath  = "/openmeter/meters"
)

// --- local stand-in for github.com/hashicorp/go-retryablehttp ---

type retryClient struct {
	HTTPClient   *http.Client
	RetryMax     int
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	CheckRetry   func(ctx context.Context, resp *http.Response, err error) (bool, error)
}

// newRetryClient mirrors retryablehttp.NewClient: the inner client comes from
// cleanhttp.DefaultPooledClient(), which sets no Timeout.
func newRetryClient() *retryClient {
	return &retryClient{
		HTTPClient: &http.Client{
			Transport: &http.Transport{
				DialContext: (&net.Dialer{
					Timeout:   30 * time.Second,
					KeepAlive: 30 * time.Second,
				}).DialContext,
				MaxIdleConnsPerHost: 100,
			},
		},
		RetryMax:     4,
		RetryWaitMin: time.Second,
		RetryWaitMax: 30 * time.Second,
	}
}

func (c *retryClient) Do(req *http.Request) (*http.Response, error) {
	var resp *http.Response
	var err error
	for attempt := 0; ; attempt++ {
		resp, err = c.HTTPClient.Do(req)
		retry := err != nil
		if c.CheckRetry != nil {
			retry, _ = c.CheckRetry(req.Context(), resp, err)
		}
		if !retry || attempt >= c.RetryMax {
			return resp, err
		}
		if resp != nil {
			resp.Body.Close()
		}
		time.Sleep(c.RetryWaitMin)
	}
}

type roundTripper struct{ Client *retryClient }

func (rt *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	return rt.Client.Do(req)
}

func (c *retryClient) StandardClient() *http.Client {
	return &http.Client{Transport: &roundTripper{Client: c}}
}

// --- SDK code ---

// defaultHTTPClient builds the SDK's default transport: an internally retrying
// client with exponential backoff, exposed as a standard *http.Client.
func defaultHTTPClient() *http.Client {
	rc := newRetryClient()
	rc.RetryMax = 3
	rc.RetryWaitMin = 500 * time.Millisecond
	rc.RetryWaitMax = 5 * time.Second
	rc.CheckRetry = retryIdempotentOnly
	return rc.StandardClient()
}

func retryIdempotentOnly(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if resp != nil && resp.Request != nil {
		switch resp.Request.Method {
		case http.MethodGet, http.MethodHead:
		default:
			return false, nil
		}
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	return err != nil || (resp != nil && resp.StatusCode >= 500), nil
}

type Client struct {
	baseURL    *url.URL
	httpClient *http.Client
	token      string
}

func New(baseURL string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("openmeter: invalid baseURL %q: %w", baseURL, err)
	}
	c := &Client{baseURL: u}
	if c.httpClient == nil {
		c.httpClient = defaultHTTPClient()
	}
	return c, nil
}

func (c *Client) resolve(apiPath string) *url.URL {
	ref := &url.URL{Path: strings.TrimPrefix(apiPath, "/")}
	base := *c.baseURL
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	return base.ResolveReference(ref)
}

func (c *Client) newRequest(ctx context.Context, method, apiPath string, body any) (*http.Request, error) {
	u := c.resolve(apiPath)
	var bodyReader io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("openmeter: encoding request body: %w", err)
		}
		bodyReader = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bodyReader)
	if err != nil {
		return nil, fmt.Errorf("openmeter: building request: %w", err)
	}
	req.Header.Set("Accept", contentTypeJSON)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

func (c *Client) doJSON(req *http.Request, out any) error {
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("openmeter: request failed: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("openmeter: reading response body: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return fmt.Errorf("openmeter: status %d", resp.StatusCode)
	}
	if out == nil || len(body) == 0 {
		return nil
	}
	return json.Unmarshal(body, out)
}

type Meter struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// GetMeter is MetersService.Get upstream.
func (c *Client) GetMeter(ctx context.Context, meterID string) (*Meter, error) {
	req, err := c.newRequest(ctx, http.MethodGet, metersBasePath+"/"+url.PathEscape(meterID), nil)
	if err != nil {
		return nil, err
	}
	var out Meter
	if err := c.doJSON(req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
