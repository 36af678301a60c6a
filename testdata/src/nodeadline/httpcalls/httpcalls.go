package httpcalls

import (
	"context"
	"net/http"
	"time"
)

func packageGet(url string) (*http.Response, error) {
	return http.Get(url) // want `http.Get uses http.DefaultClient, which has no timeout, so the request can hang forever: use http.NewRequestWithContext\(ctx, …\) sent by a client, from a context with a deadline`
}

func packagePost(url string) {
	http.Post(url, "text/plain", nil) // want `http.Post uses http.DefaultClient`
}

func defaultClientDo(ctx context.Context, url string) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	http.DefaultClient.Do(req) // want `the request sent by \(\*http.Client\).Do comes from http.NewRequest, which binds it to context.Background\(\), and the client has no Timeout: build it with http.NewRequestWithContext\(ctx, …\)`
}

func defaultClientDoBackground(url string) {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	http.DefaultClient.Do(req) // want `context.Background\(\) reaches \(\*http.Client\).Do: the request has no deadline`
}

func literalClientWithoutTimeout(url string) {
	c := &http.Client{}
	c.Get(url) // want `\(\*http.Client\).Get on a client without Timeout has no deadline, so the request can hang forever: set Timeout or use http.NewRequestWithContext`
}

func methodValue(url string) {
	get := http.DefaultClient.Get
	get(url) // want `\(\*http.Client\).Get on a client without Timeout`
}

func unknownClientDropsCtx(ctx context.Context, c *http.Client, url string) {
	c.Get(url) // want `\(\*http.Client\).Get cannot take ctx, so the request is not cancelled with the caller`
}

func handler(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequest(http.MethodGet, "http://backend/", nil)
	backend.Do(req) // the client's Timeout bounds the wait
}

func proxy(c *http.Client) http.HandlerFunc {
	// A dropped r.Context() on a client configured elsewhere: the request
	// gets no deadline from its context (sharedeadline says it drops
	// r.Context() too).
	return func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequest(http.MethodGet, "http://backend/", nil)
		c.Do(req) // want `the request sent by \(\*http.Client\).Do comes from http.NewRequest, which binds it to context.Background\(\), and it is not cancelled with the caller: build it with http.NewRequestWithContext\(r.Context\(\), …\)`
	}
}

var backend = newClient()

func newClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }

// --- exemptions ---

func clientWithTimeout(url string) {
	c := &http.Client{Timeout: 5 * time.Second}
	c.Get(url)
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	c.Do(req)
}

func clientTimeoutSetLater(url string) {
	var c http.Client
	c.Timeout = time.Second
	c.Get(url)
}

func unknownClientNoCtx(c *http.Client, url string) {
	c.Get(url) // the client may carry its own Timeout; no caller context to thread
}

func requestWithDeadline(ctx context.Context, url string) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	http.DefaultClient.Do(req)
}

func inheritedRequest(ctx context.Context, url string) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	http.DefaultClient.Do(req)
}

func forwardedRequest(w http.ResponseWriter, r *http.Request) {
	http.DefaultClient.Do(r.Clone(r.Context()))
}

type roundTripper struct{ next http.RoundTripper }

func (t roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.next.RoundTrip(r)
}

// --- clients traced through package variables, struct fields and constructors ---

var askClient = &http.Client{Timeout: 10 * time.Second}

var bareClient = &http.Client{}

type api struct {
	hc     *http.Client
	traced *http.Client
}

func newAPI() *api {
	return &api{hc: &http.Client{Timeout: time.Minute}, traced: &http.Client{}}
}

func globals(ctx context.Context, url string) {
	askClient.Get(url)  // bounded by its Timeout
	bareClient.Get(url) // want `\(\*http.Client\).Get on a client without Timeout`
}

func (a *api) fields(url string) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	a.hc.Do(req)     // bounded by its Timeout
	a.traced.Do(req) // want `comes from http.NewRequest, which binds it to context.Background\(\), and the client has no Timeout`
}

func constructed(url string) {
	newClient().Get(url) // newClient sets Timeout
}

// getter is declared for *http.Client's Get (to mock it in tests). Its
// method takes no context: not being cancellable is the interface's
// design, which no call through it can change, so neither call is
// reported.
type getter interface {
	Get(url string) (*http.Response, error)
}

type bundles struct{ hc getter }

func (b *bundles) fetch(url string) error {
	resp, err := b.hc.Get(url) // the client may have a Timeout: unknown, not unbounded
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (b *bundles) fetchCtx(ctx context.Context, url string) error {
	resp, err := b.hc.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// --- clients as values: the client is the caller's choice ---

// probe sends a request with no deadline (http.NewRequest) through the
// client it is given: only that client's Timeout can bound it.
func probe(client *http.Client, url string) bool {
	req, err := http.NewRequest(http.MethodHead, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

func download(url string) bool {
	client := &http.Client{}
	return probe(client, url) // want `client has no Timeout, and httpcalls.probe waits through it in \(\*http.Client\).Do with no other bound`
}

func downloadWithTimeout(url string) bool {
	client := &http.Client{Timeout: 30 * time.Second}
	return probe(client, url)
}

func downloadWith(client *http.Client, url string) bool {
	return probe(client, url) // the client is this function's caller's choice, judged there
}

func downloadDefault(url string) bool {
	return downloadWith(http.DefaultClient, url) // want `http.DefaultClient has no Timeout, and httpcalls.downloadWith waits through it in \(\*http.Client\).Do via httpcalls.probe`
}
