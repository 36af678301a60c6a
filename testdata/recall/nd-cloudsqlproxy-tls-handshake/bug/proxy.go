// Recall case nd-cloudsqlproxy-tls-handshake
// Source: github.com/GoogleCloudPlatform/cloud-sql-proxy commit 12ff12c9f87459dc40e2e6e4a2d08bebb0786ee7 (proxy/proxy/client.go)
// Link: https://github.com/GoogleCloudPlatform/cloud-sql-proxy/pull/987
// Bug: DialContext passes ctx to tryConnect, which dials with it but then runs tls.Client(conn, cfg).Handshake() with no deadline/ctx, so a stalled server hangs the TLS handshake for minutes despite the caller's deadline.
// Fix: tryConnect delegates to a new helper connectTLS(ctx, ...) that calls HandshakeContext(ctx).
// Rule: nodeadline
package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
)

type cacheEntry struct {
	addr string
	cfg  *tls.Config
}

type Client struct {
	ContextDialer func(ctx context.Context, net, addr string) (net.Conn, error)
	Dialer        func(net, addr string) (net.Conn, error)
	cfgCache      map[string]cacheEntry
}

func (c *Client) invalidateCfg(cfg *tls.Config, instance string) { delete(c.cfgCache, instance) }

// DialContext uses the configuration stored in the client to connect to an instance.
func (c *Client) DialContext(ctx context.Context, instance string) (net.Conn, error) {
	e, ok := c.cfgCache[instance]
	if !ok {
		return nil, errors.New("unknown instance")
	}
	return c.tryConnect(ctx, e.addr, instance, e.cfg)
}

func (c *Client) tryConnect(ctx context.Context, addr, instance string, cfg *tls.Config) (net.Conn, error) {
	dial := c.selectDialer()
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}

	ret := tls.Client(conn, cfg)
	if err := ret.Handshake(); err != nil {
		ret.Close()
		c.invalidateCfg(cfg, instance)
		return nil, err
	}
	return ret, nil
}

func (c *Client) selectDialer() func(context.Context, string, string) (net.Conn, error) {
	if c.ContextDialer != nil {
		return c.ContextDialer
	}
	if c.Dialer != nil {
		return func(_ context.Context, net, addr string) (net.Conn, error) {
			return c.Dialer(net, addr)
		}
	}
	var d net.Dialer
	return d.DialContext
}
