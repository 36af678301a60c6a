package netcalls

import (
	"crypto/tls"
	"net"
	"time"
)

// A connection wrapper that keeps the conn in a field and forwards
// SetDeadline to it (hertz's netpoll/standard Conn): the package sets
// deadlines on that field, so a handshake on it may run under one its
// caller set first.
type wrappedConn struct{ c net.Conn }

func (w *wrappedConn) SetDeadline(t time.Time) error { return w.c.SetDeadline(t) }

func (w *wrappedConn) Handshake() error {
	if tc, ok := w.c.(*tls.Conn); ok {
		return tc.Handshake()
	}
	return nil
}

func dialWrapped(addr string, cfg *tls.Config, timeout time.Duration) (*wrappedConn, error) {
	raw, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	w := &wrappedConn{c: tls.Client(raw, cfg)}
	if err := w.SetDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	return w, w.Handshake()
}

// A wrapper whose field nothing ever gives a deadline.
type bareConn struct{ c net.Conn }

func (b *bareConn) handshake() error {
	if tc, ok := b.c.(*tls.Conn); ok {
		return tc.Handshake() // want `\(\*tls.Conn\).Handshake runs with no deadline on the connection`
	}
	return nil
}

func dialBare(addr string, cfg *tls.Config) (*bareConn, error) {
	raw, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, err
	}
	b := &bareConn{c: tls.Client(raw, cfg)}
	return b, b.handshake()
}
