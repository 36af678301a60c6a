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

// A pool that stores the function each caller adds and runs it on a
// context of its own (opa-control-plane's Pool.Add(w.Execute)): the field
// holds what the package's calls of Add pass.
type task struct {
	fn func(context.Context) error
}

type pool struct{ tasks []*task }

func (p *pool) Add(fn func(context.Context) error) {
	p.tasks = append(p.tasks, &task{fn: fn})
}

func (p *pool) work() {
	for _, t := range p.tasks {
		t.fn(context.Background()) // want `context.Background\(\) reaches \(\*net.Dialer\).DialContext`
	}
}

type uploader struct{ addr string }

func (u *uploader) Execute(ctx context.Context) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", u.addr)
	if err != nil {
		return err
	}
	return conn.Close()
}

func launch(p *pool, addrs []string) {
	for _, a := range addrs {
		u := &uploader{addr: a}
		p.Add(u.Execute)
	}
}

// Not reported: the package adds two different functions, so which one a
// task runs is not known.
type mixedTask struct {
	fn func(context.Context) error
}

type mixedPool struct{ tasks []*mixedTask }

func (p *mixedPool) Add(fn func(context.Context) error) {
	p.tasks = append(p.tasks, &mixedTask{fn: fn})
}

func (p *mixedPool) work() {
	for _, t := range p.tasks {
		t.fn(context.Background())
	}
}

func noop(context.Context) error { return nil }

func launchMixed(p *mixedPool, u *uploader) {
	p.Add(u.Execute)
	p.Add(noop)
}
