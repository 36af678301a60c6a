// Recall case sd-tailscale-noisedial
// Source: github.com/tailscale/tailscale commit 9d1a3a995cf08a7966a60b3d9362f0d7bf1b912a (control/controlclient/noise.go)
// Link: https://github.com/tailscale/tailscale/pull/8552
// Bug: getConn(ctx) dials through the singleflighted nc.dial, which takes no ctx and builds its own context.WithTimeout(context.Background(), timeout), so a cancelled caller stays stuck dialing the control server until that private timeout fires.
// Fix: dial takes the caller's ctx and derives its timeout from it (context.WithTimeout(ctx, timeout)), and getConn retries the singleflight only when another caller's ctx was the one cancelled.
// Rule: sharedeadline
package controlclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"time"
)

// --- local stand-in for tailscale.com/util/singleflight ---------------------

type call[V any] struct {
	wg  sync.WaitGroup
	val V
	err error
}

// Group coalesces concurrent calls with the same key into one execution.
type Group[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*call[V]
}

func (g *Group[K, V]) Do(key K, fn func() (V, error)) (v V, err error, shared bool) {
	g.mu.Lock()
	if g.m == nil {
		g.m = make(map[K]*call[V])
	}
	if c, ok := g.m[key]; ok {
		g.mu.Unlock()
		c.wg.Wait()
		return c.val, c.err, true
	}
	c := new(call[V])
	c.wg.Add(1)
	g.m[key] = c
	g.mu.Unlock()

	c.val, c.err = fn()
	c.wg.Done()

	g.mu.Lock()
	delete(g.m, key)
	g.mu.Unlock()
	return c.val, c.err, false
}

// --- local stand-in for tailscale.com/control/controlhttp -------------------

// Dialer connects to the control server.
type Dialer struct {
	Hostname string
	HTTPPort string
	// Dialer is the low-level dial function (tsdial.Dialer.SystemDial upstream).
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
}

// ClientConn is the established control connection.
type ClientConn struct {
	Conn net.Conn
}

func (d *Dialer) Dial(ctx context.Context) (*ClientConn, error) {
	c, err := d.Dialer(ctx, "tcp", net.JoinHostPort(d.Hostname, d.HTTPPort))
	if err != nil {
		return nil, err
	}
	return &ClientConn{Conn: c}, nil
}

// h2ClientConn stands in for *http2.ClientConn: one request at a time over
// the noise conn, with the request's deadline applied to the conn.
type h2ClientConn struct {
	mu   sync.Mutex
	conn net.Conn
	busy bool
}

func (cc *h2ClientConn) CanTakeNewRequest() bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return !cc.busy
}

func (cc *h2ClientConn) RoundTrip(req *http.Request) (*http.Response, error) {
	cc.mu.Lock()
	cc.busy = true
	cc.mu.Unlock()
	defer func() {
		cc.mu.Lock()
		cc.busy = false
		cc.mu.Unlock()
	}()
	if dl, ok := req.Context().Deadline(); ok {
		cc.conn.SetDeadline(dl)
	} else {
		cc.conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	if err := req.Write(cc.conn); err != nil {
		return nil, err
	}
	return http.ReadResponse(bufio.NewReader(cc.conn), req)
}

// --- controlclient ----------------------------------------------------------

// noiseConn is a wrapper around the control connection.
type noiseConn struct {
	net.Conn
	id   int
	pool *NoiseClient
	h2cc *h2ClientConn
}

func (c *noiseConn) RoundTrip(r *http.Request) (*http.Response, error) {
	return c.h2cc.RoundTrip(r)
}

func (c *noiseConn) canTakeNewRequest() bool {
	return c.h2cc.CanTakeNewRequest()
}

// NoiseClient provides a http.Client to connect to tailcontrol over
// the ts2021 protocol.
type NoiseClient struct {
	sfDial Group[struct{}, *noiseConn]

	host     string
	httpPort string
	dialer   net.Dialer

	mu       sync.Mutex
	nextID   int
	last     *noiseConn
	connPool map[int]*noiseConn
}

func (nc *NoiseClient) getConn(ctx context.Context) (*noiseConn, error) {
	nc.mu.Lock()
	if last := nc.last; last != nil && last.canTakeNewRequest() {
		nc.mu.Unlock()
		return last, nil
	}
	nc.mu.Unlock()

	conn, err, _ := nc.sfDial.Do(struct{}{}, nc.dial)
	if err != nil {
		return nil, err
	}
	return conn, nil
}

func (nc *NoiseClient) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	conn, err := nc.getConn(ctx)
	if err != nil {
		return nil, err
	}
	return conn.RoundTrip(req)
}

// dial opens a new connection to tailcontrol, fetching the server noise key
// if not cached.
func (nc *NoiseClient) dial() (*noiseConn, error) {
	nc.mu.Lock()
	connID := nc.nextID
	nc.nextID++
	nc.mu.Unlock()

	// The default value of 5 is chosen so that, when there's no dial plan,
	// we retain the previous behaviour of 10 seconds end-to-end timeout.
	timeoutSec := 5.0

	// After we establish a connection, we need some time to actually
	// upgrade it into a Noise connection.
	timeoutSec += 5

	timeout := time.Duration(timeoutSec * float64(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	clientConn, err := (&Dialer{
		Hostname: nc.host,
		HTTPPort: nc.httpPort,
		Dialer:   nc.dialer.DialContext,
	}).Dial(ctx)
	if err != nil {
		return nil, err
	}

	ncc := &noiseConn{
		Conn: clientConn.Conn,
		id:   connID,
		pool: nc,
		h2cc: &h2ClientConn{conn: clientConn.Conn},
	}

	nc.mu.Lock()
	defer nc.mu.Unlock()
	if nc.connPool == nil {
		nc.connPool = make(map[int]*noiseConn)
	}
	nc.connPool[ncc.id] = ncc
	nc.last = ncc
	return ncc, nil
}

func (nc *NoiseClient) post(ctx context.Context, path string, body any) (*http.Response, error) {
	jbody, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", "https://"+nc.host+path, bytes.NewReader(jbody))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")

	conn, err := nc.getConn(ctx)
	if err != nil {
		return nil, err
	}
	return conn.h2cc.RoundTrip(req)
}
