// Recall case sd-blocky-bootstrapresolve
// Source: github.com/0xERR0R/blocky commit eae99ec5505ad1633db6aff7467fd40a10cfa929 (resolver/bootstrap.go, resolver/upstream_resolver.go)
// Link: https://github.com/0xERR0R/blocky/commit/eae99ec5505ad1633db6aff7467fd40a10cfa929
// Bug: Bootstrap.dialContext receives the caller's ctx but resolves the host through resolve/resolveType/Resolver.Resolve without it; each upstream attempt then runs on the DNS client's own fixed Timeout, a fresh budget that ignores the caller's deadline and cancellation.
// Fix: Thread ctx through resolve, resolveType, Resolver.Resolve and callExternal, deriving each attempt's timeout with context.WithTimeout(ctx, timeout) and using ExchangeContext(ctx, ...).
// Rule: sharedeadline
package resolver

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"strings"
	"time"
)

const retryAttempts = 3

type Request struct {
	Host  string
	QType string
}

type Response struct {
	IPs []net.IP
}

// Resolver is the resolver chain interface.
type Resolver interface {
	Resolve(request *Request) (*Response, error)
}

// dnsClient is a minimal stand-in for miekg/dns.Client.
type dnsClient struct {
	Net     string
	Timeout time.Duration
}

// Exchange performs a query bounded only by the client's own Timeout.
func (c *dnsClient) Exchange(req *Request, address string) (*Response, time.Duration, error) {
	start := time.Now()
	d := net.Dialer{Timeout: c.Timeout}
	conn, err := d.Dial(c.Net, address)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(c.Timeout))
	return exchangeOn(conn, req, start)
}

// ExchangeContext performs a query bounded by ctx.
func (c *dnsClient) ExchangeContext(ctx context.Context, req *Request, address string) (*Response, time.Duration, error) {
	start := time.Now()
	var d net.Dialer
	conn, err := d.DialContext(ctx, c.Net, address)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	return exchangeOn(conn, req, start)
}

func exchangeOn(conn net.Conn, req *Request, start time.Time) (*Response, time.Duration, error) {
	if _, err := fmt.Fprintf(conn, "%s %s\n", req.QType, req.Host); err != nil {
		return nil, 0, err
	}
	buf := make([]byte, 512)
	n, err := conn.Read(buf)
	if err != nil {
		return nil, 0, err
	}
	resp := &Response{}
	for _, f := range strings.Fields(string(buf[:n])) {
		if ip := net.ParseIP(f); ip != nil {
			resp.IPs = append(resp.IPs, ip)
		}
	}
	return resp, time.Since(start), nil
}

type dnsUpstreamClient struct {
	udpClient *dnsClient
}

func (r *dnsUpstreamClient) callExternal(req *Request, upstreamURL string) (*Response, time.Duration, error) {
	return r.udpClient.Exchange(req, upstreamURL)
}

// UpstreamResolver sends queries to an external DNS server.
type UpstreamResolver struct {
	upstream       string
	upstreamClient *dnsUpstreamClient
}

func NewUpstreamResolver(upstream string, timeout time.Duration) *UpstreamResolver {
	return &UpstreamResolver{
		upstream:       upstream,
		upstreamClient: &dnsUpstreamClient{udpClient: &dnsClient{Net: "udp", Timeout: timeout}},
	}
}

// Resolve calls external resolver
func (r *UpstreamResolver) Resolve(request *Request) (*Response, error) {
	var lastErr error
	for attempt := 0; attempt < retryAttempts; attempt++ {
		resp, _, err := r.upstreamClient.callExternal(request, r.upstream)
		if err == nil {
			return resp, nil
		}
		lastErr = fmt.Errorf("can't resolve request via upstream server %s: %w", r.upstream, err)

		var netErr net.Error
		if !errors.As(err, &netErr) || !netErr.Timeout() {
			break
		}
	}
	return nil, lastErr
}

// Bootstrap resolves upstream hostnames with a dedicated resolver.
type Bootstrap struct {
	resolver Resolver
	dialer   *net.Dialer
}

func NewBootstrap(r Resolver) *Bootstrap {
	return &Bootstrap{resolver: r, dialer: &net.Dialer{}}
}

func (b *Bootstrap) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}

	qTypes := []string{"A", "AAAA"}

	// Resolve the host with the bootstrap DNS
	ips, err := b.resolve(host, qTypes)
	if err != nil {
		return nil, err
	}

	ip := ips[rand.Intn(len(ips))] //nolint:gosec

	// Use the standard dialer to actually connect
	addrWithIP := net.JoinHostPort(ip.String(), port)

	return b.dialer.DialContext(ctx, network, addrWithIP)
}

func (b *Bootstrap) resolve(hostname string, qTypes []string) (ips []net.IP, err error) {
	ips = make([]net.IP, 0, len(qTypes))

	for _, qType := range qTypes {
		qIPs, qErr := b.resolveType(hostname, qType)
		if qErr != nil {
			err = errors.Join(err, qErr)

			continue
		}

		ips = append(ips, qIPs...)
	}

	if err == nil && len(ips) == 0 {
		return nil, fmt.Errorf("no such host %s", hostname)
	}

	return
}

func (b *Bootstrap) resolveType(hostname string, qType string) (ips []net.IP, err error) {
	if ip := net.ParseIP(hostname); ip != nil {
		return []net.IP{ip}, nil
	}

	req := Request{Host: hostname, QType: qType}

	rsp, err := b.resolver.Resolve(&req)
	if err != nil {
		return nil, err
	}

	return rsp.IPs, nil
}
