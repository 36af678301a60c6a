package builders

import (
	"context"
	"net/http"
	"time"
)

// A functional option left for other packages (nothing here calls it) does
// not change how the package builds its own client: its default decides
// (zot's regclient stub: WithHTTPClient existed, the package's own sync
// never used it, and the default client had no Timeout).

type Opt func(*RegClient)

func WithHTTPClient(c *http.Client) Opt {
	return func(rc *RegClient) { rc.httpClient = c }
}

type RegClient struct{ httpClient *http.Client }

func NewRegClient(opts ...Opt) *RegClient {
	rc := &RegClient{httpClient: &http.Client{Transport: http.DefaultTransport}}
	for _, opt := range opts {
		opt(rc)
	}
	return rc
}

func (rc *RegClient) RepoList(ctx context.Context, host string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+host+"/v2/_catalog", nil)
	if err != nil {
		return err
	}
	resp, err := rc.httpClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func syncCatalog(rc *RegClient) error {
	return rc.RepoList(context.Background(), "registry") // want `context.Background\(\) reaches \(\*http.Client\).Do via \(\*builders.RegClient\).RepoList: the wait has no deadline`
}

// The package itself passes a bounded client through the option: the
// stores disagree, and the analysis cannot say which one a call uses.

type Opt2 func(*RegClient2)

func WithClient2(c *http.Client) Opt2 {
	return func(rc *RegClient2) { rc.httpClient = c }
}

type RegClient2 struct{ httpClient *http.Client }

func NewRegClient2(opts ...Opt2) *RegClient2 {
	rc := &RegClient2{httpClient: &http.Client{Transport: http.DefaultTransport}}
	for _, opt := range opts {
		opt(rc)
	}
	return rc
}

func (rc *RegClient2) RepoList(ctx context.Context, host string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+host+"/v2/_catalog", nil)
	if err != nil {
		return err
	}
	resp, err := rc.httpClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func newSyncClient() *RegClient2 {
	return NewRegClient2(WithClient2(&http.Client{Timeout: time.Hour}))
}

func syncCatalog2(rc *RegClient2) error {
	return rc.RepoList(context.Background(), "registry")
}
