// Recall case nd-ofelia-negotiatetimeout
// Source: github.com/netresearch/ofelia commit 426471805cc40b1d1ef77703a1e45e182506d895 (core/adapters/docker/client.go)
// Link: https://github.com/netresearch/ofelia/commit/426471805cc40b1d1ef77703a1e45e182506d895
// Bug: NewClientWithConfig forces API version negotiation with sdk.NegotiateAPIVersion(context.Background()); the HTTP client has no overall timeout, so a reachable-but-wedged Docker daemon hangs startup forever.
// Fix: Added ClientConfig.NegotiateTimeout (default 30s) and runs the negotiation under context.WithTimeout.
// Rule: nodeadline
package docker

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// sdkClient is a small stand-in for the Docker SDK *client.Client: it
// talks to the daemon over a real *http.Client.
type sdkClient struct {
	host       string
	httpClient *http.Client
	version    string
}

// NegotiateAPIVersion pings the daemon and adopts its API version. Like the
// real SDK, ping errors are swallowed silently.
func (c *sdkClient) NegotiateAPIVersion(ctx context.Context) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.host+"/_ping", nil)
	if err != nil {
		return
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if v := resp.Header.Get("Api-Version"); v != "" {
		c.version = v
	}
}

// Client implements the docker port using the SDK.
type Client struct {
	sdk *sdkClient
}

// ClientConfig contains configuration for the Docker client.
type ClientConfig struct {
	Host    string
	Version string

	MaxIdleConns        int
	MaxIdleConnsPerHost int
	MaxConnsPerHost     int
	IdleConnTimeout     time.Duration

	// Timeout settings
	DialTimeout           time.Duration
	ResponseHeaderTimeout time.Duration
}

// DefaultConfig returns a default configuration.
func DefaultConfig() *ClientConfig {
	return &ClientConfig{
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   50,
		MaxConnsPerHost:       100,
		IdleConnTimeout:       90 * time.Second,
		DialTimeout:           30 * time.Second,
		ResponseHeaderTimeout: 120 * time.Second,
	}
}

// NewClientWithConfig creates a new Docker client with custom configuration.
func NewClientWithConfig(config *ClientConfig) (*Client, error) {
	host := config.Host
	if host == "" {
		return nil, fmt.Errorf("creating docker client: empty host")
	}
	sdk := &sdkClient{
		host:       strings.Replace(host, "tcp://", "http://", 1),
		httpClient: createHTTPClient(config),
		version:    config.Version,
	}

	// Force early API version negotiation to prevent race conditions.
	// Without this, concurrent goroutines (e.g., Events and ContainerList) making their
	// first API calls simultaneously will race on the lazy version negotiation.
	sdk.NegotiateAPIVersion(context.Background())

	return newClientFromSDK(sdk), nil
}

// newClientFromSDK wraps an existing SDK client.
func newClientFromSDK(sdk *sdkClient) *Client {
	return &Client{sdk: sdk}
}

// createHTTPClient creates an HTTP client with connection pooling.
func createHTTPClient(config *ClientConfig) *http.Client {
	transport := &http.Transport{
		MaxIdleConns:          config.MaxIdleConns,
		MaxIdleConnsPerHost:   config.MaxIdleConnsPerHost,
		MaxConnsPerHost:       config.MaxConnsPerHost,
		IdleConnTimeout:       config.IdleConnTimeout,
		ResponseHeaderTimeout: config.ResponseHeaderTimeout,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialer := &net.Dialer{Timeout: config.DialTimeout}
			return dialer.DialContext(ctx, network, addr)
		},
	}

	return &http.Client{
		Transport: transport,
		Timeout:   0, // No overall timeout; individual operations have timeouts
	}
}
