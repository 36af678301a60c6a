// Recall case nd-hertz-zerodialtimeout
// Source: github.com/cloudwego/hertz commit 21aae1d4151171da1b9ee7cc1816f227e851b99a (pkg/protocol/http1/client.go)
// Link: https://github.com/cloudwego/hertz/commit/21aae1d4151171da1b9ee7cc1816f227e851b99a
// Bug: HostClient.doNonNilReqResp sets dialTimeout = reqTimeout whenever reqTimeout < dialTimeout; with no request timeout (0) the configured DialTimeout is replaced by 0 and acquireConn/dialHostHard/DialConnection call net.DialTimeout with no timeout.
// Fix: only let the request timeout shorten the dial timeout when it is set: if (reqTimeout > 0 && reqTimeout < dialTimeout) || dialTimeout == 0.
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
		return newConn(tls.Client(c, tlsConfig)), nil
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

func (c *Conn) Write(b []byte) (int, error) { return c.c.Write(b) }

func (c *Conn) ReadLine() (string, error) { return c.br.ReadString('\n') }

func (c *Conn) Close() error { return c.c.Close() }
