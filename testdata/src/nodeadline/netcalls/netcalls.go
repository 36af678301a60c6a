package netcalls

import (
	"context"
	"crypto/tls"
	"net"
	"time"
)

func dial(addr string) {
	net.Dial("tcp", addr) // want `net.Dial has no context, so the dial cannot time out or be cancelled: use \(&net.Dialer\{\}\).DialContext\(ctx, …\) or net.DialTimeout`
}

func dialTLS(addr string) {
	tls.Dial("tcp", addr, nil) // want `tls.Dial has no context, so the dial cannot time out`
}

func dialerWithoutTimeout(ctx context.Context, addr string) {
	var d net.Dialer
	d.Dial("tcp", addr) // want `\(\*net.Dialer\).Dial on a dialer without Timeout has no deadline, so the dial can hang forever: set Timeout or use DialContext\(ctx, …\)`
}

func dialerBackground(addr string) {
	d := &net.Dialer{}
	d.DialContext(context.Background(), "tcp", addr) // want `context.Background\(\) reaches \(\*net.Dialer\).DialContext: the dial has no deadline`
}

func resolver(host string) {
	net.DefaultResolver.LookupHost(context.TODO(), host) // want `context.TODO\(\) reaches \(\*net.Resolver\).LookupHost: the lookup has no deadline`
}

func handshake(ctx context.Context, c *tls.Conn) {
	c.Handshake() // want `\(\*tls.Conn\).Handshake runs with no deadline on the connection, so the handshake can hang forever: call SetDeadline first or use HandshakeContext\(ctx, …\)`
}

// --- exemptions ---

func dialerWithTimeout(addr string) {
	d := net.Dialer{Timeout: time.Second}
	d.Dial("tcp", addr)
	d.DialContext(context.Background(), "tcp", addr)
}

func dialTimeout(addr string) {
	net.DialTimeout("tcp", addr, time.Second)
}

func handshakeWithDeadline(c *tls.Conn) {
	c.SetDeadline(time.Now().Add(time.Second))
	c.Handshake()
}

func dialInherited(ctx context.Context, d *net.Dialer, addr string) {
	d.DialContext(ctx, "tcp", addr)
}

func signalContext(ctx context.Context, d *net.Dialer, addr string) {
	d.DialContext(ctx, "tcp", addr)
}
