// Package helpers: helpers without a context parameter that start their own
// root and wait, called from functions that hold a caller's context.
package helpers

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"time"
)

type Droplets struct{ hc *http.Client }

// List waits on the network, bounded by ctx (the client is configured
// elsewhere).
func (d *Droplets) List(ctx context.Context, page int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://api/droplets", nil)
	if err != nil {
		return err
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type Discovery struct{ droplets *Droplets }

func (d *Discovery) refresh(ctx context.Context) error {
	return d.listDroplets() // want `\(\*helpers.Discovery\).listDroplets starts its own context.Background\(\), which reaches \(\*http.Client\).Do via \(\*helpers.Droplets\).List: the wait ignores ctx's deadline and cancellation; pass ctx to it`
}

func (d *Discovery) Refresh(ctx context.Context) error {
	if err := d.refresh(ctx); err != nil {
		return err
	}
	return d.listDroplets() // want `listDroplets starts its own context.Background\(\)`
}

func (d *Discovery) listDroplets() error {
	for page := 0; page < 3; page++ {
		if err := d.droplets.List(context.Background(), page); err != nil {
			return err
		}
	}
	return nil
}

// A helper with its own budget: the caller's deadline is still dropped.
type Health struct{ db *sql.DB }

func (h *Health) Handler(w http.ResponseWriter, r *http.Request) {
	if err := h.checkAPI(); err != nil { // want `\(\*helpers.Health\).checkAPI starts its own context.WithTimeout\(context.Background\(\), …\), which reaches \(\*sql.DB\).PingContext: the wait ignores r.Context\(\)'s deadline and cancellation`
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

func (h *Health) checkAPI() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return h.db.PingContext(ctx)
}

// Through two helpers: the root travels to the caller of the outer one.
func (h *Health) Probe(ctx context.Context) error {
	return h.probeAll() // want `\(\*helpers.Health\).probeAll starts its own context.WithTimeout\(context.Background\(\), …\), which reaches \(\*sql.DB\).PingContext via \(\*helpers.Health\).checkAPI`
}

func (h *Health) probeAll() error {
	return h.checkAPI()
}

// --- not reported ---

// No caller's context: nothing to thread.
func (h *Health) Startup() error {
	return h.checkAPI()
}

// Handed to a goroutine: background work keeps its own budget.
func (h *Health) Watch(ctx context.Context) {
	go func() {
		_ = h.checkAPI()
	}()
}

// A helper that takes the context: judged at its own calls.
func (d *Discovery) listWith(ctx context.Context) error {
	return d.droplets.List(ctx, 0)
}

func (d *Discovery) refreshWith(ctx context.Context) error {
	return d.listWith(ctx)
}

// Connection deadlines set by a helper from a fixed timeout.
func writeFrame(c net.Conn, b []byte) error {
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := c.Write(b)
	return err
}

func send(ctx context.Context, addr string, b []byte) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	return writeFrame(c, b) // want `helpers.writeFrame sets SetWriteDeadline\(time.Now\(\).Add\(…\)\) on the connection from a fixed timeout, ignoring ctx's deadline`
}

// The caller consults its deadline: nothing to report.
func sendChecked(ctx context.Context, addr string, b []byte) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	return writeFrame(c, b)
}

// A root given to an interface whose implementation here waits through a
// client configured elsewhere: the deadline may exist, the cancellation is
// dropped.
type Server interface {
	Propose(ctx context.Context, body string) error
}

type raft struct{ hc *http.Client }

func NewRaft(hc *http.Client) Server { return &raft{hc: hc} }

func (s *raft) Propose(ctx context.Context, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://peer/propose", nil)
	if err != nil {
		return err
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func enable(ctx context.Context, s Server) error {
	return s.Propose(context.Background(), "downgrade") // want `context.Background\(\) drops ctx's deadline and cancellation: helpers.Server.Propose reaches \(\*http.Client\).Do, which then runs on after the caller gave up; pass ctx`
}

func enableWithCtx(ctx context.Context, s Server) error {
	return s.Propose(ctx, "downgrade")
}

// A helper whose root reaches the wait only in a goroutine it starts (pgx's
// asyncClose sends a cancel request with its own deadline): the caller does
// not wait for that work, which is detached by design.
func (h *Health) closeAsync() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		h.db.PingContext(ctx)
	}()
}

func (h *Health) Fail(ctx context.Context) error {
	h.closeAsync()
	return ctx.Err()
}

// A helper with a request of its own has a context in scope: the root
// inside it is judged there (use r.Context()), not at its callers.
func (h *Health) lookup(w http.ResponseWriter, r *http.Request) {
	h.db.PingContext(context.Background()) // want `context.Background\(\) drops r.Context\(\)'s deadline and cancellation: \(\*sql.DB\).PingContext waits under it with no other deadline, which then runs on after the caller gave up; pass r.Context\(\)`
}

func (h *Health) Route(w http.ResponseWriter, r *http.Request) {
	h.lookup(w, r)
}

// A helper that starts a lifecycle context and hands it to goroutines (the
// object cancels it on Close): detached on purpose, not a root its
// callers wait under (kafka-go's Reader.start).
type pool struct {
	h      *Health
	cancel context.CancelFunc
}

func (p *pool) start() {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go func(ctx context.Context) {
		p.h.db.PingContext(ctx)
	}(ctx)
}

func (p *pool) Fetch(ctx context.Context) error {
	p.start()
	return ctx.Err()
}

// A helper whose root reaches only a DNS lookup, which the resolver bounds
// itself: nothing its callers could wait on without end (minio's
// isLoopback under credential retrieval).
func isLoopback(host string) bool {
	addrs, err := net.DefaultResolver.LookupHost(context.Background(), host)
	return err == nil && len(addrs) > 0 && addrs[0] == "127.0.0.1"
}

func (h *Health) Credentials(ctx context.Context, host string) error {
	if isLoopback(host) {
		return nil
	}
	return ctx.Err()
}

// A dialer interface without a context form (lib/pq's Dialer): its
// implementation starts its own budget, but a caller holding ctx has no way
// to hand it over through DialTimeout. Not reported here.
type legacyDialer interface {
	DialTimeout(network, address string, timeout time.Duration) (net.Conn, error)
}

type netDialer struct{}

func (netDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var d net.Dialer
	return d.DialContext(ctx, network, address)
}

func dialVia(ctx context.Context, d legacyDialer, addr string) (net.Conn, error) {
	if dc, ok := d.(interface {
		DialContext(ctx context.Context, network, address string) (net.Conn, error)
	}); ok {
		return dc.DialContext(ctx, "tcp", addr)
	}
	return d.DialTimeout("tcp", addr, 5*time.Second)
}

var _ legacyDialer = netDialer{}

// A root given to a DNS lookup through a helper (go-redis' endpoint
// detection under its own 2 s budget): the resolver bounds the lookup, so,
// as for the lookup itself, no finding.
func isInternal(ctx context.Context, host string) (bool, error) {
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	return err == nil && len(addrs) > 0 && addrs[0].IP.IsPrivate(), err
}

func detectEndpoint(host string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	internal, _ := isInternal(ctx, host)
	return internal
}

func newClient(ctx context.Context, host string) bool {
	return detectEndpoint(host)
}

// The same helper shape reaching a query is a finding.
func countRows(db *sql.DB) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var n int
	db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n)
	return n
}

func report(ctx context.Context, db *sql.DB) int {
	return countRows(db) // want `helpers.countRows starts its own context.WithTimeout\(context.Background\(\), …\), which reaches \(\*sql.DB\).QueryRowContext`
}

// An interface whose one implementation in the package starts its own
// budget (infra's OIDC.GetUserInfo): whichever runs, the caller's context
// stops at the call.
type userInfoSource interface {
	UserInfo(token string) (*http.Response, error)
}

type oidcSource struct {
	url string
	hc  *http.Client
}

func newUserInfoSource(url string) userInfoSource { return &oidcSource{url: url, hc: &http.Client{}} }

func (o *oidcSource) UserInfo(token string) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return o.hc.Do(req)
}

func refreshIdentity(r *http.Request, src userInfoSource) (*http.Response, error) {
	return src.UserInfo(r.Header.Get("Token")) // want `helpers.userInfoSource.UserInfo starts its own context.WithTimeout\(context.Background\(\), …\), which reaches \(\*http.Client\).Do: the wait ignores r.Context\(\)'s deadline and cancellation`
}

// An interface with an implementation in the package that takes the
// caller's budget from elsewhere (no root of its own): which one runs is
// not known, so the call is left alone.
type tokenSource interface {
	Token(name string) (*http.Response, error)
}

type rootedTokens struct{ hc *http.Client }

func (t rootedTokens) Token(name string) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://example.com/"+name, nil)
	if err != nil {
		return nil, err
	}
	return t.hc.Do(req)
}

type cachedTokens struct{ cache map[string]*http.Response }

func (t cachedTokens) Token(name string) (*http.Response, error) { return t.cache[name], nil }

func lookupToken(ctx context.Context, src tokenSource) (*http.Response, error) {
	return src.Token("x")
}

var _, _ tokenSource = rootedTokens{}, cachedTokens{}

// An exported implementation (a client-side proxy, go-plugin's GRPCClient)
// stands beside implementations made elsewhere: left alone.
type Counter interface {
	Get(key string) (*http.Response, error)
}

type CounterProxy struct{ hc *http.Client }

func (p *CounterProxy) Get(key string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://example.com/"+key, nil)
	if err != nil {
		return nil, err
	}
	return p.hc.Do(req)
}

func serveGet(ctx context.Context, impl Counter) (*http.Response, error) {
	return impl.Get("k")
}

// An interface kept in a field (a wrapper around a legacy delegate,
// client-go's ToClientWithContext): whoever built the object chose the
// implementation, often one made elsewhere.
type pathSource interface {
	Paths() (*http.Response, error)
}

type restPaths struct{ hc *http.Client }

func (p *restPaths) Paths() (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://example.com/paths", nil)
	if err != nil {
		return nil, err
	}
	return p.hc.Do(req)
}

type pathsWrapper struct{ delegate pathSource }

func (w *pathsWrapper) PathsWithContext(ctx context.Context) (*http.Response, error) {
	return w.delegate.Paths()
}
