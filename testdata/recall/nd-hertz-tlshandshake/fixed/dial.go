// Recall case nd-hertz-tlshandshake
// Source: github.com/cloudwego/hertz commit c0dc541e7a72f49e64e6a2a79b0779f7abe05b3d (pkg/protocol/http1/client.go)
// Link: https://github.com/cloudwego/hertz/commit/c0dc541e7a72f49e64e6a2a79b0779f7abe05b3d
// Bug: for TLS hosts HostClient.doNonNilReqResp only sets a write timeout before the first conn.Write, which implicitly runs the crypto/tls handshake; the handshake's reads of the server reply have no read deadline, so the client blocks forever (issue #1366).
// Fix: when c.IsTLS, set conn.SetDeadline(time.Now().Add(dial timeout)) and call Handshake() explicitly before writing the request (only this part of the larger timeout refactor is applied).
// Rule: nodeadline
package http1

import (
	"bufio"
	"crypto/tls"
	"net"
	"time"
)

// dialer is the reduced pkg/network/standard dialer.
type dialer struct{}

func (d *dialer) DialConnection(n, address string, timeout time.Duration, tlsConfig *tls.Config) (conn *Conn, err error) {
	c, err := net.DialTimeout(n, address, timeout)
	if err != nil {
		return nil, err
	}
	if tlsConfig != nil {
		cTLS := tls.Client(c, tlsConfig)
		return newConn(cTLS), nil
	}
	return newConn(c), nil
}

// Conn is the reduced pkg/network/standard Conn.
type Conn struct {
	c  net.Conn
	br *bufio.Reader
}

func newConn(c net.Conn) *Conn {
	return &Conn{c: c, br: bufio.NewReader(c)}
}

func (c *Conn) SetReadTimeout(t time.Duration) error {
	if t <= 0 {
		return c.c.SetReadDeadline(time.Time{})
	}
	return c.c.SetReadDeadline(time.Now().Add(t))
}

func (c *Conn) SetWriteTimeout(t time.Duration) error {
	if t <= 0 {
		return c.c.SetWriteDeadline(time.Time{})
	}
	return c.c.SetWriteDeadline(time.Now().Add(t))
}

func (c *Conn) SetDeadline(t time.Time) error { return c.c.SetDeadline(t) }

// Handshake is TLSConn.Handshake: it runs the crypto/tls handshake.
func (c *Conn) Handshake() error {
	if tc, ok := c.c.(*tls.Conn); ok {
		return tc.Handshake()
	}
	return nil
}

func (c *Conn) Write(b []byte) (int, error) { return c.c.Write(b) }

func (c *Conn) ReadLine() (string, error) { return c.br.ReadString('\n') }

func (c *Conn) Close() error { return c.c.Close() }
