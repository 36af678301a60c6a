// Recall case sc-coredns-forward
// Source: github.com/coredns/coredns commit 8e783897a23f62edab907c003469ab21e727715f (plugin/forward/forward.go)
// Link: https://github.com/coredns/coredns/pull/6483
// Bug: Forward.ServeDNS keeps retrying upstream proxies in a loop bounded only by its own 5s defaultTimeout and never checks the request ctx, so after the caller's ctx is cancelled or expired it keeps dialing and querying upstreams as if nothing happened.
// Fix: the retry loop condition becomes `time.Now().Before(deadline) && ctx.Err() == nil`, so the loop stops once the request ctx is done.
// Rule: swallowcancel
package forward

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// --- minimal stand-ins for miekg/dns and coredns request/plugin ---

const (
	RcodeServerFailure = 2
	RcodeRefused       = 5
	RcodeFormatError   = 1
)

// Msg is a raw DNS message; the first two bytes are the ID.
type Msg struct {
	Id        uint16
	Truncated bool
	Body      []byte
}

func (m *Msg) Pack() []byte {
	b := make([]byte, 2, 2+len(m.Body))
	binary.BigEndian.PutUint16(b, m.Id)
	return append(b, m.Body...)
}

func unpack(b []byte) *Msg {
	if len(b) < 2 {
		return &Msg{}
	}
	return &Msg{Id: binary.BigEndian.Uint16(b), Body: b[2:]}
}

type ResponseWriter interface {
	WriteMsg(*Msg) error
	RemoteAddr() net.Addr
}

// Handler mirrors plugin.Handler.
type Handler interface {
	ServeDNS(context.Context, ResponseWriter, *Msg) (int, error)
	Name() string
}

func NextOrFailure(name string, next Handler, ctx context.Context, w ResponseWriter, r *Msg) (int, error) {
	if next != nil {
		return next.ServeDNS(ctx, w, r)
	}
	return RcodeServerFailure, errors.New("no next plugin found")
}

// Request mirrors request.Request.
type Request struct {
	W   ResponseWriter
	Req *Msg
}

func (r *Request) Proto() string {
	if _, ok := r.W.RemoteAddr().(*net.TCPAddr); ok {
		return "tcp"
	}
	return "udp"
}

func (r *Request) Match(reply *Msg) bool { return reply != nil && reply.Id == r.Req.Id }

// --- plugin/pkg/proxy (reduced) ---

var ErrCachedClosed = errors.New("cached connection was closed by peer")

type Options struct {
	ForceTCP  bool
	PreferUDP bool
}

const maxTimeout = 2 * time.Second

type persistConn struct {
	c    net.Conn
	used time.Time
}

// Transport hold the persistent cache.
type Transport struct {
	mu    sync.Mutex
	addr  string
	conns map[string][]*persistConn
}

// Dial dials the address configured in transport, potentially reusing a connection or creating a new one.
func (t *Transport) Dial(proto string) (*persistConn, bool, error) {
	t.mu.Lock()
	if stack := t.conns[proto]; len(stack) > 0 {
		pc := stack[len(stack)-1]
		t.conns[proto] = stack[:len(stack)-1]
		t.mu.Unlock()
		return pc, true, nil
	}
	t.mu.Unlock()

	conn, err := net.DialTimeout(proto, t.addr, maxTimeout)
	if err != nil {
		return nil, false, err
	}
	return &persistConn{c: conn}, false, nil
}

// Yield returns the connection to transport for reuse.
func (t *Transport) Yield(pc *persistConn) {
	pc.used = time.Now()
	t.mu.Lock()
	t.conns[pc.c.RemoteAddr().Network()] = append(t.conns[pc.c.RemoteAddr().Network()], pc)
	t.mu.Unlock()
}

type Proxy struct {
	fails       uint32
	addr        string
	transport   *Transport
	readTimeout time.Duration
}

func NewProxy(addr string) *Proxy {
	return &Proxy{
		addr:        addr,
		transport:   &Transport{addr: addr, conns: map[string][]*persistConn{}},
		readTimeout: 2 * time.Second,
	}
}

func (p *Proxy) Addr() string { return p.addr }

// Down returns true if this proxy is down, i.e. has *more* fails than maxfails.
func (p *Proxy) Down(maxfails uint32) bool {
	if maxfails == 0 {
		return false
	}

	fails := atomic.LoadUint32(&p.fails)
	return fails > maxfails
}

// Healthcheck kicks of a round of health checks for this proxy.
func (p *Proxy) Healthcheck() {
	go func() {
		conn, err := net.DialTimeout("udp", p.addr, time.Second)
		if err != nil {
			atomic.AddUint32(&p.fails, 1)
			return
		}
		conn.Close()
		atomic.StoreUint32(&p.fails, 0)
	}()
}

// Connect selects an upstream, sends the request and waits for a response.
func (p *Proxy) Connect(ctx context.Context, state Request, opts Options) (*Msg, error) {
	proto := ""
	switch {
	case opts.ForceTCP: // TCP flag has precedence over UDP flag
		proto = "tcp"
	case opts.PreferUDP:
		proto = "udp"
	default:
		proto = state.Proto()
	}

	pc, cached, err := p.transport.Dial(proto)
	if err != nil {
		return nil, err
	}

	pc.c.SetWriteDeadline(time.Now().Add(maxTimeout))
	// records the origin Id before upstream.
	originId := state.Req.Id
	state.Req.Id = uint16(rand.Intn(1 << 16))
	defer func() {
		state.Req.Id = originId
	}()

	if _, err := pc.c.Write(state.Req.Pack()); err != nil {
		pc.c.Close() // not giving it back
		if err == io.EOF && cached {
			return nil, ErrCachedClosed
		}
		return nil, err
	}

	var ret *Msg
	pc.c.SetReadDeadline(time.Now().Add(p.readTimeout))
	buf := make([]byte, 65535)
	for {
		n, err := pc.c.Read(buf)
		if err != nil {
			pc.c.Close() // not giving it back
			if err == io.EOF && cached {
				return nil, ErrCachedClosed
			}
			return nil, err
		}
		ret = unpack(append([]byte(nil), buf[:n]...))
		// drop out-of-order responses
		if state.Req.Id == ret.Id {
			break
		}
	}
	// recovery the origin Id after upstream.
	ret.Id = originId

	p.transport.Yield(pc)

	return ret, nil
}

// --- plugin/forward/forward.go (reduced) ---

var (
	// ErrNoHealthy means no healthy proxies left.
	ErrNoHealthy = errors.New("no healthy proxies")
	// ErrLimitExceeded indicates that a query was rejected because the number of concurrent queries has exceeded
	// the maximum allowed (maxConcurrent)
	ErrLimitExceeded = errors.New("concurrent queries exceeded maximum")
)

var defaultTimeout = 5 * time.Second

// Forward represents a plugin instance that can proxy requests to another (DNS) server.
type Forward struct {
	concurrent int64 // atomic counters need to be first in struct for proper alignment

	proxies  []*Proxy
	maxfails uint32
	opts     Options

	maxConcurrent int64

	Next Handler
}

// Name implements plugin.Handler.
func (f *Forward) Name() string { return "forward" }

// List returns a set of proxies to be used for this client depending on the policy in f.
func (f *Forward) List() []*Proxy {
	list := make([]*Proxy, len(f.proxies))
	for i, j := range rand.Perm(len(f.proxies)) {
		list[i] = f.proxies[j]
	}
	return list
}

func (f *Forward) match(state Request) bool { return true }

// ServeDNS implements plugin.Handler.
func (f *Forward) ServeDNS(ctx context.Context, w ResponseWriter, r *Msg) (int, error) {
	state := Request{W: w, Req: r}
	if !f.match(state) {
		return NextOrFailure(f.Name(), f.Next, ctx, w, r)
	}

	if f.maxConcurrent > 0 {
		count := atomic.AddInt64(&(f.concurrent), 1)
		defer atomic.AddInt64(&(f.concurrent), -1)
		if count > f.maxConcurrent {
			return RcodeRefused, ErrLimitExceeded
		}
	}

	fails := 0
	var upstreamErr error
	i := 0
	list := f.List()
	deadline := time.Now().Add(defaultTimeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if i >= len(list) {
			// reached the end of list, reset to begin
			i = 0
			fails = 0
		}

		proxy := list[i]
		i++
		if proxy.Down(f.maxfails) {
			fails++
			if fails < len(f.proxies) {
				continue
			}
			// All upstream proxies are dead, assume healthcheck is completely broken and randomly
			// select an upstream to connect to.
			proxy = f.proxies[rand.Intn(len(f.proxies))]
		}

		var (
			ret *Msg
			err error
		)
		opts := f.opts

		for {
			ret, err = proxy.Connect(ctx, state, opts)

			if err == ErrCachedClosed { // Remote side closed conn, can only happen with TCP.
				continue
			}
			// Retry with TCP if truncated and prefer_udp configured.
			if ret != nil && ret.Truncated && !opts.ForceTCP && opts.PreferUDP {
				opts.ForceTCP = true
				continue
			}
			break
		}

		upstreamErr = err

		if err != nil {
			// Kick off health check to see if *our* upstream is broken.
			if f.maxfails != 0 {
				proxy.Healthcheck()
			}

			if fails < len(f.proxies) {
				continue
			}
			break
		}

		// Check if the reply is correct; if not return FormErr.
		if !state.Match(ret) {
			formerr := &Msg{Id: state.Req.Id}
			w.WriteMsg(formerr)
			return 0, nil
		}

		w.WriteMsg(ret)
		return 0, nil
	}

	if upstreamErr != nil {
		return RcodeServerFailure, upstreamErr
	}

	return RcodeServerFailure, ErrNoHealthy
}
