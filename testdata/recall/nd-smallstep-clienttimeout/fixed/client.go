// Recall case nd-smallstep-clienttimeout
// Source: github.com/smallstep/certificates commit 3135a2caecca6e5a94241b935b0fd67a8445999c (ca/client.go, ca/adminClient.go)
// Link: https://github.com/smallstep/certificates/commit/3135a2caecca6e5a94241b935b0fd67a8445999c
// Bug: NewClient starts from new(clientOptions) so, unless WithTimeout is passed, newClient builds an http.Client with Timeout 0; Client.Health() then calls HealthWithContext(context.Background()) and the GET to the CA can block forever
// Fix: NewClient starts from defaultClientOptions(), which sets a default 15s timeout for the underlying http.Client
// Rule: nodeadline
package ca

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// UserAgent will set the User-Agent header in the client requests.
var UserAgent = "step-http-client/1.0"

type uaClient struct {
	Client *http.Client
}

func newClient(transport http.RoundTripper, timeout time.Duration) *uaClient {
	return &uaClient{
		Client: &http.Client{
			Transport: transport,
			Timeout:   timeout,
		},
	}
}

func (c *uaClient) GetWithContext(ctx context.Context, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, http.NoBody)
	if err != nil {
		return nil, fmt.Errorf("create GET %s request failed: %w", u, err)
	}
	return c.Do(req)
}

func (c *uaClient) Do(req *http.Request) (*http.Response, error) {
	req.Header.Set("User-Agent", UserAgent)
	return c.Client.Do(req)
}

// ClientOption is the type of options passed to the Client constructor.
type ClientOption func(o *clientOptions) error

type clientOptions struct {
	transport    http.RoundTripper
	timeout      time.Duration
	rootFilename string
}

func (o *clientOptions) apply(opts []ClientOption) (err error) {
	for _, fn := range opts {
		if err = fn(o); err != nil {
			return
		}
	}
	return
}

// getTransport returns the transport configured in the clientOptions.
func (o *clientOptions) getTransport(endpoint string) (tr http.RoundTripper, err error) {
	if o.transport != nil {
		tr = o.transport
	}
	if o.rootFilename != "" {
		if tr, err = getTransportFromFile(o.rootFilename); err != nil {
			return nil, err
		}
	}
	if tr == nil {
		return nil, errors.New("a transport, a root cert, or a root sha256 must be used")
	}
	return tr, nil
}

// WithTransport adds a custom transport to the Client.
func WithTransport(tr http.RoundTripper) ClientOption {
	return func(o *clientOptions) error {
		o.transport = tr
		return nil
	}
}

// WithRootFile will create the transport using the given root certificate.
func WithRootFile(filename string) ClientOption {
	return func(o *clientOptions) error {
		o.rootFilename = filename
		return nil
	}
}

// WithTimeout defines the time limit for requests made by this client. The
// timeout includes connection time, any redirects, and reading the response
// body.
func WithTimeout(d time.Duration) ClientOption {
	return func(o *clientOptions) error {
		o.timeout = d
		return nil
	}
}

func getTransportFromFile(filename string) (http.RoundTripper, error) {
	data, err := os.ReadFile(filename)
	if err != nil {
		return nil, fmt.Errorf("error reading %s: %w", filename, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("error parsing %s: no certificates found", filename)
	}
	return getDefaultTransport(&tls.Config{
		MinVersion: tls.VersionTLS12,
		RootCAs:    pool,
	}), nil
}

func getDefaultTransport(tlsConfig *tls.Config) *http.Transport {
	d := &net.Dialer{
		Timeout:   30 * time.Second,
		KeepAlive: 30 * time.Second,
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
		TLSClientConfig:       tlsConfig,
	}
}

// Client implements an HTTP client for the CA server.
type Client struct {
	client   *uaClient
	endpoint *url.URL
	timeout  time.Duration
	opts     []ClientOption
}

// defaultClientOptions returns a new [clientOptions] with a
// default timeout set.
func defaultClientOptions() clientOptions {
	return clientOptions{
		timeout: 15 * time.Second,
	}
}

// NewClient creates a new Client with the given endpoint and options.
func NewClient(endpoint string, opts ...ClientOption) (*Client, error) {
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	// Retrieve transport from options.
	o := defaultClientOptions()
	if err := o.apply(opts); err != nil {
		return nil, err
	}
	tr, err := o.getTransport(endpoint)
	if err != nil {
		return nil, err
	}

	return &Client{
		client:   newClient(tr, o.timeout),
		endpoint: u,
		timeout:  o.timeout,
		opts:     opts,
	}, nil
}

// HealthResponse is the response object that returns the health of the server.
type HealthResponse struct {
	Status string `json:"status"`
}

// Health performs the health request to the CA with an empty context
// and returns the api.HealthResponse struct.
func (c *Client) Health() (*HealthResponse, error) {
	return c.HealthWithContext(context.Background())
}

// HealthWithContext performs the health request to the CA with the provided context
// and returns the api.HealthResponse struct.
func (c *Client) HealthWithContext(ctx context.Context) (*HealthResponse, error) {
	u := c.endpoint.ResolveReference(&url.URL{Path: "/health"})
	resp, err := c.client.GetWithContext(ctx, u.String())
	if err != nil {
		return nil, clientError(err)
	}
	if resp.StatusCode >= 400 {
		return nil, readError(resp)
	}
	var health HealthResponse
	if err := readJSON(resp.Body, &health); err != nil {
		return nil, fmt.Errorf("client.Health; error reading %s: %w", u, err)
	}
	return &health, nil
}

func parseEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("error parsing endpoint '%s': %w", endpoint, err)
	}
	if u.Scheme == "" {
		u.Scheme = "https"
	}
	return u, nil
}

func readJSON(r io.ReadCloser, v interface{}) error {
	defer r.Close()
	return json.NewDecoder(r).Decode(v)
}

func readError(r *http.Response) error {
	defer r.Body.Close()
	var apiErr struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	}
	if err := json.NewDecoder(r.Body).Decode(&apiErr); err != nil {
		return fmt.Errorf("failed decoding CA error response: %w", err)
	}
	return fmt.Errorf("CA error %d: %s", apiErr.Status, apiErr.Message)
}

func clientError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return fmt.Errorf("client %s %s failed: %w",
			strings.ToUpper(uerr.Op), uerr.URL, uerr.Err)
	}
	return fmt.Errorf("client request failed: %w", err)
}
