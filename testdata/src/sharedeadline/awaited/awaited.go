// Package awaited: a helper that starts its own budget, called in a
// goroutine whose result the caller waits for (the work made cancellable),
// and a dial through a func-typed field the package sets once.
package awaited

import (
	"context"
	"net"
	"time"
)

var defaultDialer = net.Dialer{Timeout: 3 * time.Second}

type pool struct {
	dial        func(context.Context, string, string) (net.Conn, error)
	dialTimeout time.Duration
}

func newPool() *pool {
	return &pool{dial: defaultDialer.DialContext, dialTimeout: 5 * time.Second}
}

type group struct {
	pool *pool
	addr string
}

// connect takes no context: it dials under a budget of its own
// (kafka-go's connGroup.connect before its fix).
func (g *group) connect() (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), g.pool.dialTimeout)
	defer cancel()
	return g.pool.dial(ctx, "tcp", g.addr)
}

// The goroutine's result is awaited: its work is this call's.
func (g *group) grab(ctx context.Context) (net.Conn, error) {
	conns := make(chan net.Conn)
	errs := make(chan error)
	go func() {
		c, err := g.connect() // want `\(\*awaited.group\).connect starts its own context.WithTimeout\(context.Background\(\), …\), which reaches \(\*net.Dialer\).DialContext: the wait ignores ctx's deadline and cancellation`
		if err != nil {
			select {
			case errs <- err:
			case <-ctx.Done():
			}
			return
		}
		select {
		case conns <- c:
		case <-ctx.Done():
			c.Close()
		}
	}()
	select {
	case c := <-conns:
		return c, nil
	case err := <-errs:
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// A goroutine nobody waits for is detached on purpose.
func (g *group) warm(ctx context.Context) {
	go func() {
		if c, err := g.connect(); err == nil {
			c.Close()
		}
	}()
}

// A field other packages can set (Dial) is judged unknown: no finding.
type Options struct {
	Dial func(context.Context, string, string) (net.Conn, error)
}

func (o *Options) open(addr string) (net.Conn, error) {
	return o.Dial(context.Background(), "tcp", addr)
}

func (g *group) openWith(ctx context.Context, o *Options) (net.Conn, error) {
	return o.open(g.addr)
}

// once runs fn during the call (a singleflight-style runner).
type once struct{ done bool }

func (o *once) do(fn func() (net.Conn, error)) (net.Conn, error) {
	if o.done {
		return nil, nil
	}
	o.done = true
	return fn()
}

// A method value handed to a runner that calls it during the call: its own
// budget cuts ctx off (tailscale's sfDial.Do(key, nc.dial)).
func (g *group) grabOnce(ctx context.Context, o *once) (net.Conn, error) {
	return o.do(g.connect) // want `\(\*awaited.once\).do runs g.connect during the call, and it starts its own context.WithTimeout\(context.Background\(\), …\)`
}

// A literal handed to it is no detached work either: judged where written.
func (g *group) grabOnceLit(ctx context.Context, o *once) (net.Conn, error) {
	return o.do(func() (net.Conn, error) {
		return g.connect() // want `\(\*awaited.group\).connect starts its own context.WithTimeout`
	})
}

// keep stores the function for later: that is detached.
type keeper struct{ fns []func() (net.Conn, error) }

func (k *keeper) keep(fn func() (net.Conn, error)) { k.fns = append(k.fns, fn) }

func (g *group) later(ctx context.Context, k *keeper) {
	k.keep(g.connect)
	k.keep(func() (net.Conn, error) { return g.connect() })
}

// A fresh budget made where the caller's context is in scope, its request
// sent in a goroutine the function waits for (tr1d1um's Send): the
// goroutine's wait is the function's.
func send(ctx context.Context, d *net.Dialer, addr string) (net.Conn, error) {
	bctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // want `context.WithTimeout\(context.Background\(\), …\) starts a fresh 5s budget that ignores ctx's deadline and cancellation`
	defer cancel()
	ready := make(chan net.Conn, 1)
	go func() {
		c, _ := d.DialContext(bctx, "tcp", addr)
		ready <- c
	}()
	select {
	case c := <-ready:
		return c, nil
	case <-bctx.Done():
		return nil, bctx.Err()
	}
}

// The same budget handed to a goroutine nobody waits for: detached.
func sendLater(ctx context.Context, d *net.Dialer, addr string) {
	bctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	go func() {
		defer cancel()
		if c, err := d.DialContext(bctx, "tcp", addr); err == nil {
			c.Close()
		}
	}()
}
