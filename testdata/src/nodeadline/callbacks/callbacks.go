// Package callbacks: a context handed by a helper to the function it is
// given (a dialer callback) reaches that function's wait.
package callbacks

import (
	"context"
	"net"
	"time"
)

// dialWith hands its ctx to the dialer it is given.
func dialWith(ctx context.Context, addr string, dial func(context.Context, string) (net.Conn, error)) (net.Conn, error) {
	return dial(ctx, addr)
}

// retryDial hands it on to dialWith: the same.
func retryDial(ctx context.Context, addr string, dial func(context.Context, string) (net.Conn, error)) (net.Conn, error) {
	return dialWith(ctx, addr, dial)
}

func netDial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

func connect(addr string) (net.Conn, error) {
	return dialWith(context.Background(), addr, func(ctx context.Context, a string) (net.Conn, error) { // want `context.Background\(\) reaches \(\*net.Dialer\).DialContext via callbacks.dialWith: the wait has no deadline`
		var d net.Dialer
		return d.DialContext(ctx, "tcp", a)
	})
}

func connectNamed(addr string) (net.Conn, error) {
	return retryDial(context.TODO(), addr, netDial) // want `context.TODO\(\) reaches \(\*net.Dialer\).DialContext via callbacks.retryDial`
}

// Negatives.

// The fix: a deadline.
func connectFixed(addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return dialWith(ctx, addr, netDial)
}

// A callback that waits on nothing.
func connectPipe(addr string) (net.Conn, error) {
	return dialWith(context.Background(), addr, func(context.Context, string) (net.Conn, error) {
		c, _ := net.Pipe()
		return c, nil
	})
}

// A helper that bounds what it hands the callback.
func dialBounded(ctx context.Context, addr string, dial func(context.Context, string) (net.Conn, error)) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return dial(ctx, addr)
}

func connectBounded(addr string) (net.Conn, error) {
	return dialBounded(context.Background(), addr, netDial)
}
