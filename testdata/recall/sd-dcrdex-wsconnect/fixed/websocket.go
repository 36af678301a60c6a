// Recall case sd-dcrdex-wsconnect
// Source: github.com/decred/dcrdex commit faa60915201ff39ba04d7dbd4d15c1fe00e51d8a (client/comms/wsconn.go)
// Link: https://github.com/decred/dcrdex/commit/faa60915201ff39ba04d7dbd4d15c1fe00e51d8a
// Bug: wsConn.connect(ctx) dials with dialer.Dial, which runs the handshake under a fresh 10 s HandshakeTimeout budget derived from context.Background(); cancelling the caller's ctx (Stop / shutdown) cannot abort an in-progress dial, it waits for the fixed timeout.
// Fix: connect calls dialer.DialContext(ctx, ...), so the handshake budget is derived from the caller's ctx.
// Rule: sharedeadline
package comms

// Minimal stand-in for github.com/gorilla/websocket v1.5 (Dialer.Dial /
// Dialer.DialContext and the few Conn methods wsconn.go uses).

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"
)

const (
	PongMessage  = 10
	CloseMessage = 8
)

type Dialer struct {
	NetDialContext   func(ctx context.Context, network, addr string) (net.Conn, error)
	Proxy            func(*http.Request) (*url.URL, error)
	TLSClientConfig  *tls.Config
	HandshakeTimeout time.Duration
}

type Conn struct {
	c           net.Conn
	br          *bufio.Reader
	pingHandler func(string) error
}

// Dial creates a new client connection by calling DialContext with a background context.
func (d *Dialer) Dial(urlStr string, requestHeader http.Header) (*Conn, *http.Response, error) {
	return d.DialContext(context.Background(), urlStr, requestHeader)
}

// DialContext creates a new client connection. The context is used for the
// whole dial + opening handshake, bounded by HandshakeTimeout.
func (d *Dialer) DialContext(ctx context.Context, urlStr string, requestHeader http.Header) (*Conn, *http.Response, error) {
	u, err := url.Parse(urlStr)
	if err != nil {
		return nil, nil, err
	}
	if d.HandshakeTimeout != 0 {
		var cancel func()
		ctx, cancel = context.WithTimeout(ctx, d.HandshakeTimeout)
		defer cancel()
	}
	netDial := d.NetDialContext
	if netDial == nil {
		var nd net.Dialer
		netDial = nd.DialContext
	}
	hostPort := u.Host
	if u.Port() == "" {
		hostPort = net.JoinHostPort(u.Hostname(), "443")
	}
	netConn, err := netDial(ctx, "tcp", hostPort)
	if err != nil {
		return nil, nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		netConn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { netConn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if u.Scheme == "wss" {
		tlsConn := tls.Client(netConn, d.TLSClientConfig)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			netConn.Close()
			return nil, nil, err
		}
		netConn = tlsConn
	}
	req := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}, Host: u.Host}
	for k, v := range requestHeader {
		req.Header[k] = v
	}
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	if err := req.Write(netConn); err != nil {
		netConn.Close()
		return nil, nil, err
	}
	br := bufio.NewReader(netConn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		netConn.Close()
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		netConn.Close()
		return nil, resp, errors.New("websocket: bad handshake")
	}
	netConn.SetDeadline(time.Time{})
	return &Conn{c: netConn, br: br}, resp, nil
}

func (c *Conn) SetReadDeadline(t time.Time) error { return c.c.SetReadDeadline(t) }

func (c *Conn) SetPingHandler(h func(appData string) error) { c.pingHandler = h }

func (c *Conn) WriteControl(messageType int, data []byte, deadline time.Time) error {
	if err := c.c.SetWriteDeadline(deadline); err != nil {
		return err
	}
	_, err := c.c.Write(append([]byte{0x80 | byte(messageType), byte(len(data))}, data...))
	return err
}

func (c *Conn) ReadMessage() (int, []byte, error) {
	line, err := c.br.ReadBytes('\n')
	if err != nil {
		return 0, nil, err
	}
	return 1, line, nil
}

func (c *Conn) Close() error { return c.c.Close() }

func FormatCloseMessage(closeCode int, text string) []byte {
	return append([]byte{byte(closeCode >> 8), byte(closeCode)}, text...)
}

const CloseNormalClosure = 1000
