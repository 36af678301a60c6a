package indirect

import (
	"context"
	"net"
)

var plainDialer net.Dialer

// A func-typed field only this package sets, to one method value: a call
// through it is a call of that method.
type transport struct {
	dial func(context.Context, string, string) (net.Conn, error)
}

func newTransport() *transport {
	d := &net.Dialer{}
	return &transport{dial: d.DialContext}
}

func (t *transport) connect(addr string) (net.Conn, error) {
	return t.dial(context.Background(), "tcp", addr) // want `context.Background\(\) reaches \(\*net.Dialer\).DialContext`
}

// Set to two different functions: which one runs is not known.
type either struct {
	dial func(context.Context, string, string) (net.Conn, error)
}

func newEither(tls bool) *either {
	if tls {
		return &either{dial: dialTLS}
	}
	return &either{dial: plainDialer.DialContext}
}

func dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	return nil, nil
}

func (e *either) connect(addr string) (net.Conn, error) {
	return e.dial(context.Background(), "tcp", addr)
}
