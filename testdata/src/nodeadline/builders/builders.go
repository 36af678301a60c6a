// Package builders: requests built by helpers of the package, and clients
// taken from fields nothing sets (pulsar's admin client before its fix).
package builders

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"
)

type request struct {
	method string
	url    string
}

// toHTTP builds the request without a context.
func (r *request) toHTTP() (*http.Request, error) {
	return http.NewRequest(r.method, r.url, nil)
}

type client struct {
	httpClient *http.Client // nothing in the package sets it
}

func (c *client) doRequest(r *request) (*http.Response, error) {
	req, err := r.toHTTP()
	if err != nil {
		return nil, err
	}
	hc := c.httpClient
	if hc == nil {
		hc = http.DefaultClient
	}
	return hc.Do(req) // want `the request sent by \(\*http.Client\).Do comes from http.NewRequest, which binds it to context.Background\(\), and the client has no Timeout`
}

func (r *request) build() *http.Request {
	req, _ := http.NewRequest(r.method, r.url, nil)
	return req
}

func send(r *request) (*http.Response, error) {
	return http.DefaultClient.Do(r.build()) // want `the request sent by \(\*http.Client\).Do comes from http.NewRequest`
}

// Negatives.

// A field the package does set may hold a client with a Timeout.
type configured struct {
	httpClient *http.Client
}

func newConfigured(timeout time.Duration) *configured {
	return &configured{httpClient: &http.Client{Timeout: timeout}}
}

func (c *configured) doRequest(r *request) (*http.Response, error) {
	req, err := r.toHTTP()
	if err != nil {
		return nil, err
	}
	hc := c.httpClient
	if hc == nil {
		hc = http.DefaultClient
	}
	return hc.Do(req)
}

// A helper that binds the caller's context.
func (r *request) withContext(ctx context.Context) (*http.Request, error) {
	return http.NewRequestWithContext(ctx, r.method, r.url, nil)
}

func sendCtx(ctx context.Context, r *request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := r.withContext(ctx)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}

// A helper that returns the request it was given: the caller's.
func passOn(req *http.Request) *http.Request { return req }

func forward(req *http.Request) (*http.Response, error) {
	return http.DefaultClient.Do(passOn(req))
}

// A literal whose whole value is copied from another request keeps that
// request's context (a RoundTripper's shallow copy).
type copyingTransport struct{ base http.RoundTripper }

func (t copyingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := new(http.Request)
	*r2 = *r
	r2.Header = r.Header.Clone()
	return t.base.RoundTrip(r2)
}

// A literal request is sent with context.Background().
func forwardLiteral(r *http.Request) (*http.Response, error) {
	out := &http.Request{Method: r.Method, URL: r.URL, Header: r.Header.Clone()}
	return http.DefaultClient.Do(out) // want `the request sent by \(\*http.Client\).Do comes from an http.Request literal, which binds it to context.Background\(\)`
}

// A function of the package that returns a fresh root of its own making:
// calling it makes that root (harbor's orm.Context()).
type ormKey struct{}

func ormContext() context.Context {
	return context.WithValue(context.Background(), ormKey{}, "orm")
}

func lookup(ctx context.Context, db *sql.DB) error {
	return db.QueryRowContext(ctx, "SELECT 1").Err()
}

func readOnly(db *sql.DB) error {
	return lookup(ormContext(), db) // want `builders.ormContext\(\) reaches \(\*sql.DB\).QueryRowContext via builders.lookup: the wait has no deadline`
}

// A function that returns the context it is given is no root.
func withOrm(ctx context.Context) context.Context { return context.WithValue(ctx, ormKey{}, "orm") }

func readOnlyCtx(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return lookup(withOrm(ctx), db)
}

// A client the caller may give, with http.DefaultClient when it gives none
// (deviceplane's agent client): the package's default, which most callers
// take, has no timeout.
type agentClient struct {
	hc *http.Client
}

func newAgentClient(hc *http.Client) *agentClient {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &agentClient{hc: hc}
}

func (c *agentClient) get(url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.hc.Do(req) // want `the request sent by \(\*http.Client\).Do comes from http.NewRequest, which binds it to context.Background\(\), and the client has no Timeout`
}

// A default with a timeout: bounded.
type boundedAgent struct {
	hc *http.Client
}

func newBoundedAgent(hc *http.Client) *boundedAgent {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &boundedAgent{hc: hc}
}

func (c *boundedAgent) get(url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.hc.Do(req)
}

// A constructor of the package that returns the client with an error
// (btcd's newHTTPClient: client, err := …; nil on the error path).
type rpcClient struct {
	httpClient *http.Client
}

func newHTTPClient(proxy string) (*http.Client, error) {
	if proxy == "-" {
		return nil, errors.New("bad proxy")
	}
	client := http.Client{Transport: &http.Transport{}}
	return &client, nil
}

func newRPCClient(proxy string) (*rpcClient, error) {
	hc, err := newHTTPClient(proxy)
	if err != nil {
		return nil, err
	}
	return &rpcClient{httpClient: hc}, nil
}

func (c *rpcClient) post(url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, url, nil)
	if err != nil {
		return nil, err
	}
	return c.httpClient.Do(req) // want `the request sent by \(\*http.Client\).Do comes from http.NewRequest, which binds it to context.Background\(\), and the client has no Timeout`
}

// The same constructor with a Timeout: bounded.
type timedRPC struct {
	httpClient *http.Client
}

func newTimedHTTPClient() (*http.Client, error) {
	return &http.Client{Timeout: time.Minute}, nil
}

func newTimedRPC() (*timedRPC, error) {
	hc, err := newTimedHTTPClient()
	if err != nil {
		return nil, err
	}
	return &timedRPC{httpClient: hc}, nil
}

func (c *timedRPC) post(url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, url, nil)
	if err != nil {
		return nil, err
	}
	return c.httpClient.Do(req)
}

// A client literal a retried closure captures (ssm-agent's HTTP HEAD,
// fixed with Timeout: 30 * time.Second).
func headRetried(url string) (resp *http.Response, err error) {
	hc := &http.Client{Transport: http.DefaultTransport}
	op := func() error {
		resp, err = hc.Head(url) // want `\(\*http.Client\).Head on a client without Timeout has no deadline`
		return err
	}
	for i := 0; i < 3 && op() != nil; i++ {
	}
	return resp, err
}

func headRetriedBounded(url string) (resp *http.Response, err error) {
	hc := &http.Client{Transport: http.DefaultTransport, Timeout: 30 * time.Second}
	op := func() error {
		resp, err = hc.Head(url)
		return err
	}
	for i := 0; i < 3 && op() != nil; i++ {
	}
	return resp, err
}

// A client kept by value in a field nothing sets: the zero client
// (safebrowsing's netAPI, fixed with &http.Client{Timeout: timeout}).
type netAPI struct {
	url    string
	client http.Client
}

func newNetAPI(url string) *netAPI { return &netAPI{url: url} }

func (a *netAPI) lookup() (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, a.url, nil)
	if err != nil {
		return nil, err
	}
	return a.client.Do(req) // want `the request sent by \(\*http.Client\).Do comes from http.NewRequest, which binds it to context.Background\(\), and the client has no Timeout`
}

// The same field given a Timeout where the value is built: bounded.
type timedAPI struct {
	url    string
	client http.Client
}

func newTimedAPI(url string) *timedAPI {
	return &timedAPI{url: url, client: http.Client{Timeout: time.Minute}}
}

func (a *timedAPI) lookup() (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, a.url, nil)
	if err != nil {
		return nil, err
	}
	return a.client.Do(req)
}

// An exported client field kept by value that the package builds without
// a Timeout (infra's APIClient set only the Transport), copied by value
// into the helper that sends: the package's client has no Timeout.
type APIClient struct {
	URL  string
	HTTP http.Client
}

func NewAPIClient(url string) *APIClient {
	return &APIClient{URL: url, HTTP: http.Client{Transport: http.DefaultTransport}}
}

func sendVia(client APIClient, req *http.Request) (*http.Response, error) {
	return client.HTTP.Do(req)
}

func listUsers() (*http.Response, error) {
	client := NewAPIClient("https://example.com")
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, client.URL, nil)
	if err != nil {
		return nil, err
	}
	return sendVia(*client, req) // want `context.Background\(\) reaches \(\*http.Client\).Do via builders.sendVia`
}

// An exported field the package never assigns is its users' to fill.
type OpenAPIClient struct {
	URL  string
	HTTP http.Client
}

func (c *OpenAPIClient) list() (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, c.URL, nil)
	if err != nil {
		return nil, err
	}
	return c.HTTP.Do(req)
}

// A transport that bounds the wait for the response headers (jaeger's
// sampling fetcher, fixed with ResponseHeaderTimeout on a clone of the
// default transport): partly bounded (the body is not), left alone, by
// pointer or by value.
type samplingFetcher struct {
	url string
	hc  *http.Client
}

func newSamplingFetcher(url string) *samplingFetcher {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 10 * time.Second
	return &samplingFetcher{url: url, hc: &http.Client{Transport: t}}
}

func (f *samplingFetcher) fetch() (*http.Response, error) {
	return f.hc.Get(f.url)
}

type valueFetcher struct {
	url string
	hc  http.Client
}

func newValueFetcher(url string) *valueFetcher {
	return &valueFetcher{url: url, hc: http.Client{Transport: &http.Transport{ResponseHeaderTimeout: time.Minute}}}
}

func (f *valueFetcher) fetch() (*http.Response, error) {
	return f.hc.Get(f.url)
}

// A nil default in an unexported helper that every call of the package
// gives a client: the default is never taken, and the client passed is
// the one the wait runs on (oauth-proxy's request(client, req), after its
// fix gave the cached client a Timeout).
func sendWith(client *http.Client, req *http.Request) (*http.Response, error) {
	if client == nil {
		client = http.DefaultClient
	}
	return client.Do(req)
}

var timedClient = &http.Client{Timeout: time.Minute}

func fetchTimed(url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return sendWith(timedClient, req)
}

// The same helper exported: callers outside may take the default.
func SendWith(client *http.Client, req *http.Request) (*http.Response, error) {
	if client == nil {
		client = http.DefaultClient
	}
	return client.Do(req)
}

func fetchExported(url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return SendWith(timedClient, req) // want `the request builders.SendWith sends to \(\*http.Client\).Do comes from http.NewRequest`
}

// A client field only the package can set, never set by it, and a root
// made by a helper that returns it with its cancel (the autoscaler's
// getContextWithCancel: WithCancel(Background())): nothing bounds the list.
type armClient struct {
	baseURL string
	http    *http.Client
}

func (c *armClient) get(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

type scaleSet struct{ arm *armClient }

func (s *scaleSet) listVMs() error {
	ctx, cancel := contextWithCancel()
	defer cancel()
	return s.arm.get(ctx, "/vms") // want `builders.contextWithCancel\(\) reaches \(\*http.Client\).Do via \(\*builders.armClient\).get: the wait has no deadline`
}

// The fix: the helper bounds the context.
func (s *scaleSet) listVMsFixed() error {
	ctx, cancel := contextWithTimeout(3 * time.Minute)
	defer cancel()
	return s.arm.get(ctx, "/vms")
}

// A helper that binds the caller's context after building the request, and
// hands back what http.NewRequest gave when that failed (fn's
// callToHTTPRequest): that return is an error path, its request never sent.
func toHTTPWithContext(ctx context.Context, url string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, url, nil)
	if err != nil {
		return req, err
	}
	req = req.WithContext(ctx)
	return req, nil
}

func dispatch(ctx context.Context, url string) error {
	hc := &http.Client{}
	req, err := toHTTPWithContext(ctx, url)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Without the WithContext, the request the helper returns on success is
// bound to Background.
func toHTTPNoContext(url string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, url, nil)
	if err != nil {
		return req, err
	}
	req.Header.Set("X-Call", "1")
	return req, nil
}

func dispatchNoContext() error {
	hc := &http.Client{}
	req, err := toHTTPNoContext("http://localhost/call")
	if err != nil {
		return err
	}
	resp, err := hc.Do(req) // want `the request sent by \(\*http.Client\).Do comes from http.NewRequest, which binds it to context.Background\(\), and the client has no Timeout`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
