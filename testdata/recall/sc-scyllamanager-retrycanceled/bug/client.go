// Recall case sc-scyllamanager-retrycanceled
// Source: github.com/scylladb/scylla-manager commit eef1665e2dc624adbaeb794652cbd4507b97f1cd (scyllaclient/client.go)
// Link: https://github.com/scylladb/scylla-manager/commit/eef1665e2dc624adbaeb794652cbd4507b97f1cd
// Bug: the retrying RoundTrip asks CheckRetry/DefaultRetryPolicy whether to retry, and the policy retries on every transport error, including context.Canceled/DeadlineExceeded from the request's own context, so a cancelled request keeps being retried and finally ends as a generic "giving up after N attempts" error.
// Fix: CheckRetry now receives the request and DefaultRetryPolicy returns (false, req.Context().Err()) when the request context is done, stopping the retries and propagating the context error.
// Rule: swallowcancel
package scyllaclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// DefaultAPIPort is Scylla API port.
var DefaultAPIPort = "10000"

// DefaultRPCTimeout stands in for mermaid.DefaultRPCTimeout.
var DefaultRPCTimeout = 30 * time.Second

// Client provides means to interact with Scylla nodes.
type Client struct {
	transport http.RoundTripper
	client    *http.Client
	logger    *slog.Logger
}

// transport picks a host for every request (stands in for the host pool transport).
type transport struct {
	parent http.RoundTripper
	hosts  []string
	next   atomic.Uint64
	logger *slog.Logger
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	h := t.hosts[int(t.next.Add(1))%len(t.hosts)]
	r := req.Clone(req.Context())
	r.URL.Host = h
	r.Host = h
	return t.parent.RoundTrip(r)
}

// NewClient creates a new client.
func NewClient(hosts []string, rt http.RoundTripper, l *slog.Logger) (*Client, error) {
	if len(hosts) == 0 {
		return nil, errors.New("missing hosts")
	}

	addrs := make([]string, len(hosts))
	for i, h := range hosts {
		addrs[i] = withPort(h, DefaultAPIPort)
	}

	t := NewTransport(&transport{
		parent: rt,
		hosts:  addrs,
		logger: l,
	}, l)
	t.CheckRetry = func(resp *http.Response, err error) (bool, error) {
		// do not retry ping
		if resp != nil && resp.Request.URL.Path == "/" {
			return false, nil
		}
		return DefaultRetryPolicy(resp, err)
	}

	return &Client{
		transport: t,
		client: &http.Client{
			Timeout:   DefaultRPCTimeout,
			Transport: t,
		},
		logger: l,
	}, nil
}

func withPort(hostPort, port string) string {
	_, p, _ := net.SplitHostPort(hostPort)
	if p != "" {
		return hostPort
	}

	return fmt.Sprint(hostPort, ":", port)
}

// ClusterName returns cluster name.
func (c *Client) ClusterName(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://scylla.magic.host/storage_service/cluster_name", nil)
	if err != nil {
		return "", err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
