// Recall case sd-gorilla-websocket-tlshandshake
// Source: github.com/gorilla/websocket commit bcef8431c98087addcb2f0ab484ff295abe41a74 (client.go)
// Link: https://github.com/gorilla/websocket/commit/bcef8431c98087addcb2f0ab484ff295abe41a74
// Bug: Dialer.DialContext has ctx in scope but doHandshake calls tlsConn.Handshake(), so the TLS handshake ignores the caller's cancellation.
// Fix: pass ctx to doHandshake and call tlsConn.HandshakeContext(ctx).
// Rule: sharedeadline
package websocket

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"
)

// Dialer contains options for connecting to WebSocket server.
type Dialer struct {
	// NetDialContext specifies the dial function for creating TCP connections.
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// TLSClientConfig specifies the TLS configuration to use with tls.Client.
	TLSClientConfig *tls.Config

	// HandshakeTimeout specifies the duration for the handshake to complete.
	HandshakeTimeout time.Duration
}

// Conn is a reduced websocket connection.
type Conn struct {
	conn net.Conn
}

var errMalformedURL = errors.New("malformed ws or wss URL")

func hostPortNoPort(u *url.URL) (hostPort, hostNoPort string) {
	hostPort = u.Host
	hostNoPort = u.Host
	if i := strings.LastIndex(u.Host, ":"); i > strings.LastIndex(u.Host, "]") {
		hostNoPort = hostNoPort[:i]
	} else {
		switch u.Scheme {
		case "wss", "https":
			hostPort += ":443"
		default:
			hostPort += ":80"
		}
	}
	return hostPort, hostNoPort
}

// DialContext creates a new client connection.
func (d *Dialer) DialContext(ctx context.Context, urlStr string) (*Conn, error) {
	u, err := url.Parse(urlStr)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return nil, errMalformedURL
	}

	if d.HandshakeTimeout != 0 {
		var cancel func()
		ctx, cancel = context.WithTimeout(ctx, d.HandshakeTimeout)
		defer cancel()
	}

	// Get network dial function.
	var netDial func(network, add string) (net.Conn, error)

	if d.NetDialContext != nil {
		netDial = func(network, addr string) (net.Conn, error) {
			return d.NetDialContext(ctx, network, addr)
		}
	} else {
		netDialer := &net.Dialer{}
		netDial = func(network, addr string) (net.Conn, error) {
			return netDialer.DialContext(ctx, network, addr)
		}
	}

	// If needed, wrap the dial function to set the connection deadline.
	if deadline, ok := ctx.Deadline(); ok {
		forwardDial := netDial
		netDial = func(network, addr string) (net.Conn, error) {
			c, err := forwardDial(network, addr)
			if err != nil {
				return nil, err
			}
			err = c.SetDeadline(deadline)
			if err != nil {
				c.Close()
				return nil, err
			}
			return c, nil
		}
	}

	hostPort, hostNoPort := hostPortNoPort(u)

	netConn, err := netDial("tcp", hostPort)
	if err != nil {
		return nil, err
	}

	defer func() {
		if netConn != nil {
			netConn.Close()
		}
	}()

	if u.Scheme == "https" {
		cfg := d.TLSClientConfig.Clone()
		if cfg == nil {
			cfg = &tls.Config{}
		}
		if cfg.ServerName == "" {
			cfg.ServerName = hostNoPort
		}
		tlsConn := tls.Client(netConn, cfg)
		netConn = tlsConn

		err := doHandshake(ctx, tlsConn, cfg)
		if err != nil {
			return nil, err
		}
	}

	conn := &Conn{conn: netConn}
	netConn.SetDeadline(time.Time{})
	netConn = nil // to avoid close in defer.
	return conn, nil
}

func doHandshake(ctx context.Context, tlsConn *tls.Conn, cfg *tls.Config) error {
	if err := tlsConn.HandshakeContext(ctx); err != nil {
		return err
	}
	if !cfg.InsecureSkipVerify {
		if err := tlsConn.VerifyHostname(cfg.ServerName); err != nil {
			return err
		}
	}
	return nil
}
