// Recall case sd-pomerium-reporterctx
// Source: github.com/pomerium/pomerium commit f876e2f31d39cb06864d5ddb9204d0e9807be5ba (internal/registry/reporter.go)
// Link: https://github.com/pomerium/pomerium/commit/f876e2f31d39cb06864d5ddb9204d0e9807be5ba
// Bug: Reporter.OnConfigChange(ctx, cfg) starts runReporter with context.WithCancel(context.TODO()), so the Report RPC loop ignores the caller's (application) ctx and its cancellation.
// Fix: the reporter context is derived from the caller: context.WithCancel(ctx).
// Rule: sharedeadline
package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const (
	minTTL             = time.Second * 30
	defaultMetricsPath = "/metrics"
)

// Config is the (reduced) pomerium config.Config.
type Config struct {
	MetricsAddr    string
	OutboundPort   string
	InstallationID string
}

// Service is the (reduced) registry.Service proto.
type Service struct {
	Kind     string `json:"kind"`
	Endpoint string `json:"endpoint"`
}

// RegisterRequest is the (reduced) registry.RegisterRequest proto.
type RegisterRequest struct {
	Services []*Service `json:"services"`
}

// RegisterResponse is the (reduced) registry.RegisterResponse proto.
type RegisterResponse struct {
	CallBackAfter time.Duration `json:"callBackAfter"`
}

// Reporter periodically submits a list of services available on this instance to the service registry
type Reporter struct {
	cancel                 func()
	outboundGRPCConnection *cachedOutboundConn
}

// NewReporter creates a new Reporter.
func NewReporter(client *http.Client) *Reporter {
	return &Reporter{
		outboundGRPCConnection: &cachedOutboundConn{client: client},
	}
}

// Run mirrors pkg/cmd/pomerium: the reporter is driven by the application context.
func Run(ctx context.Context, client *http.Client, cfg *Config) *Reporter {
	reporter := NewReporter(client)
	reporter.OnConfigChange(ctx, cfg)
	return reporter
}

// OnConfigChange applies configuration changes to the reporter
func (r *Reporter) OnConfigChange(ctx context.Context, cfg *Config) {
	if r.cancel != nil {
		r.cancel()
	}

	services, err := getReportedServices(cfg)
	if err != nil {
		log.Printf("metrics announce to service registry is disabled: %v", err)
	}

	registryConn, err := r.outboundGRPCConnection.Get(ctx, cfg.OutboundPort, cfg.InstallationID)
	if err != nil {
		log.Printf("connecting to registry: %v", err)
		return
	}

	if len(services) > 0 {
		ctx, cancel := context.WithCancel(context.TODO())
		go runReporter(ctx, newRegistryClient(registryConn), services)
		r.cancel = cancel
	}
}

func getReportedServices(cfg *Config) ([]*Service, error) {
	if cfg.MetricsAddr == "" {
		return nil, nil
	}

	host, port, err := net.SplitHostPort(cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("invalid metrics address %q: %w", cfg.MetricsAddr, err)
	}
	if port == "" {
		return nil, fmt.Errorf("invalid metrics value %q: port is required", cfg.MetricsAddr)
	}
	u := url.URL{
		Scheme: "http",
		Host:   net.JoinHostPort(host, port),
		Path:   defaultMetricsPath,
	}

	return []*Service{
		{Kind: "PROMETHEUS_METRICS", Endpoint: u.String()},
	}, nil
}

func runReporter(
	ctx context.Context,
	client *registryClient,
	services []*Service,
) {
	backoff := newExponentialBackOff()

	req := &RegisterRequest{Services: services}
	after := minTTL
	for {
		select {
		case <-time.After(after):
			resp, err := client.Report(ctx, req)
			if err != nil {
				log.Printf("grpc.service_registry.Report: %v", err)
				after = backoff.NextBackOff()
				continue
			}
			after = resp.CallBackAfter
			backoff.Reset()
		case <-ctx.Done():
			log.Printf("service registry reporter stopping")
			return
		}
	}
}

// --- stubs for pkg/grpc (outbound connection), the registry gRPC client and cenkalti/backoff ---

// cachedOutboundConn stands in for grpc.CachedOutboundGRPClientConn.
type cachedOutboundConn struct {
	client *http.Client

	mu   sync.Mutex
	conn *outboundConn
}

type outboundConn struct {
	client  *http.Client
	baseURL string
}

func (c *cachedOutboundConn) Get(ctx context.Context, port, installationID string) (*outboundConn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		c.conn = &outboundConn{client: c.client, baseURL: "http://" + net.JoinHostPort("127.0.0.1", port)}
	}
	return c.conn, nil
}

// registryClient stands in for pb.RegistryClient: a unary RPC carried over HTTP with the call ctx.
type registryClient struct {
	conn *outboundConn
}

func newRegistryClient(conn *outboundConn) *registryClient {
	return &registryClient{conn: conn}
}

func (c *registryClient) Report(ctx context.Context, in *RegisterRequest) (*RegisterResponse, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.conn.baseURL+"/registry.Registry/Report", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/grpc+json")
	resp, err := c.conn.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("registry report: status %d", resp.StatusCode)
	}
	var out RegisterResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return &out, nil
}

// exponentialBackOff stands in for backoff.NewExponentialBackOff() with MaxElapsedTime = 0:
// it only computes the next interval, it never waits.
type exponentialBackOff struct {
	current time.Duration
}

func newExponentialBackOff() *exponentialBackOff {
	return &exponentialBackOff{current: 500 * time.Millisecond}
}

func (b *exponentialBackOff) NextBackOff() time.Duration {
	next := b.current + time.Duration(rand.Int63n(int64(b.current)/2+1))
	b.current = b.current * 3 / 2
	if b.current > time.Minute {
		b.current = time.Minute
	}
	return next
}

func (b *exponentialBackOff) Reset() {
	b.current = 500 * time.Millisecond
}
