package contextfree

import (
	"context"
	"net"
	"net/http"
	"time"
)

// A context-free form called through an interface whose implementation in
// the package forwards to its context twin with Background() on a client
// without Timeout (ecs-agent's task-protection handlers called the SDK's
// UpdateTaskProtection; the fix used UpdateTaskProtectionWithContext with a
// timeout). The interface declares only the context-free form, so there is
// no rewrite to offer.
type protectionAPI interface {
	Update(id string) error
}

type sdkClient struct {
	hc  *http.Client
	url string
}

func (c *sdkClient) Update(id string) error {
	return c.UpdateWithContext(context.Background(), id)
}

func (c *sdkClient) UpdateWithContext(ctx context.Context, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/"+id, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func newProtectionAPI(url string) protectionAPI {
	return &sdkClient{hc: &http.Client{}, url: url}
}

func protect(w http.ResponseWriter, r *http.Request) {
	api := newProtectionAPI("http://ecs")
	if err := api.Update(r.URL.Query().Get("task")); err != nil { // want `contextfree.protectionAPI.Update cannot take r.Context\(\) and waits in \(\*http.Client\).Do via \(\*contextfree.sdkClient\).UpdateWithContext with no deadline`
		w.WriteHeader(http.StatusInternalServerError)
	}
}

// An implementation whose client has a Timeout: bounded.
type boundedAPI interface {
	Fetch(id string) error
}

type timedClient struct {
	hc  *http.Client
	url string
}

func (c *timedClient) Fetch(id string) error {
	return c.FetchWithContext(context.Background(), id)
}

func (c *timedClient) FetchWithContext(ctx context.Context, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+"/"+id, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func newBoundedAPI(url string) boundedAPI {
	return &timedClient{hc: &http.Client{Timeout: 5 * time.Second}, url: url}
}

func fetchBounded(w http.ResponseWriter, r *http.Request) {
	if err := newBoundedAPI("http://x").Fetch("1"); err != nil {
		w.WriteHeader(http.StatusInternalServerError)
	}
}

// The context-free form only as a fallback for providers without the
// context form (go-autorest's fix: "prefer RefresherWithContext if
// available"): the package's implementation has both, so it never gets
// to the fallback.
type updater interface {
	Update(id string) error
}

type updaterWithContext interface {
	UpdateWithContext(ctx context.Context, id string) error
}

type authorizer struct {
	provider any
}

func (a *authorizer) authorize(r *http.Request) error {
	if u, ok := a.provider.(updaterWithContext); ok {
		return u.UpdateWithContext(r.Context(), "token")
	} else if u, ok := a.provider.(updater); ok {
		return u.Update("token")
	}
	return nil
}

var _ = &authorizer{provider: &sdkClient{hc: &http.Client{}}}

// The same idiom on the parameter itself (lib/pq's dial: if dctx, ok :=
// d.(DialerContext); ok { return dctx.DialContext(…) }; return d.Dial(…)).
func updateVia(ctx context.Context, u updater) error {
	if uc, ok := u.(updaterWithContext); ok {
		return uc.UpdateWithContext(ctx, "token")
	}
	return u.Update("token")
}

// And a type switch (sarama's proxy dialer).
func updateSwitch(ctx context.Context, u updater) error {
	switch v := u.(type) {
	case updaterWithContext:
		return v.UpdateWithContext(ctx, "token")
	default:
		return v.Update("token")
	}
}

// With no context in scope, a call through the interface is left to the
// function's own callers (sqlx's NamedQuery calling e.Queryx).
func updateAll(u protectionAPI, ids []string) error {
	for _, id := range ids {
		if err := u.Update(id); err != nil {
			return err
		}
	}
	return nil
}

// No caller's context in scope, through an interface whose value a
// constructor of the package always makes from one type (yggdrasil's
// SOCKS5 returning a Dialer): the implementation is known, not a guess.
type dialer interface {
	Dial(network, addr string) (net.Conn, error)
}

type socks5 struct{ proxy string }

func (s *socks5) Dial(network, addr string) (net.Conn, error) {
	return net.Dial(network, s.proxy)
}

func (s *socks5) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, s.proxy)
}

func newSOCKS5(proxy string) (dialer, error) {
	if proxy == "" {
		return nil, errNoProxy
	}
	return &socks5{proxy: proxy}, nil
}

var errNoProxy = net.UnknownNetworkError("no proxy")

func callPeer(proxy, addr string) {
	d, err := newSOCKS5(proxy)
	if err != nil {
		return
	}
	conn, err := d.Dial("tcp", addr) // want `contextfree.dialer.Dial takes no context and waits in net.Dial with no deadline, so it can hang forever: use DialContext\(ctx, …\)`
	if err == nil {
		conn.Close()
	}
}

// A dialer handed in: its implementation is the caller's, a guess here.
func callPeerWith(d dialer, addr string) {
	if conn, err := d.Dial("tcp", addr); err == nil {
		conn.Close()
	}
}
