package netcalls

import (
	"crypto/tls"
	"net"
	"time"
)

// timeoutConn sets a deadline before every read and write (zgrab2's
// TimeoutConnection): whatever runs on it, a TLS handshake included, is
// bounded.
type timeoutConn struct {
	net.Conn
	timeout time.Duration
}

func (c *timeoutConn) Read(b []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

// dialTimeoutConn dials with the configured timeout; zero is the
// configured "no timeout", and then it dials with none.
func dialTimeoutConn(network, addr string, timeout time.Duration) (net.Conn, error) {
	var conn net.Conn
	var err error
	if timeout > 0 {
		conn, err = net.DialTimeout(network, addr, timeout)
	} else {
		conn, err = net.Dial(network, addr)
	}
	if err != nil {
		return nil, err
	}
	return &timeoutConn{Conn: conn, timeout: timeout}, nil
}

func tlsOverTimeoutConn(addr string) (*tls.Conn, error) {
	c, err := dialTimeoutConn("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(c, &tls.Config{})
	return tc, tc.Handshake()
}

// forwardConn forwards reads as they are: no bound.
type forwardConn struct{ net.Conn }

func (c *forwardConn) Read(b []byte) (int, error) { return c.Conn.Read(b) }

func dialForward(addr string, timeout time.Duration) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout) // want `the connection from net.DialTimeout is read with no deadline`
	if err != nil {
		return nil, err
	}
	return &forwardConn{conn}, nil
}

func tlsOverForwardConn(addr string) (*tls.Conn, error) {
	c, err := dialForward(addr, time.Second)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(c, &tls.Config{})
	return tc, tc.Handshake() // want `\(\*tls.Conn\).Handshake runs with no deadline on the connection`
}

// A timeout of zero only where it is not positive: the dial on the other
// side is reported.
func dialUnlessZero(addr string, timeout time.Duration) (net.Conn, error) {
	if timeout > 0 {
		return net.Dial("tcp", addr) // want `net.Dial has no context, so the dial cannot time out or be cancelled`
	}
	return net.DialTimeout("tcp", addr, time.Second)
}
