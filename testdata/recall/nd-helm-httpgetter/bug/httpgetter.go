// Recall case nd-helm-httpgetter
// Source: github.com/helm/helm commit 2011a3191c814ed976b05cb44aa7e9277383422c (pkg/getter/httpgetter.go)
// Link: https://github.com/helm/helm/pull/12203
// Bug: ChartRepository.DownloadIndexFile -> HTTPGetter.Get -> http.Client{Timeout: 0}.Do(http.NewRequest(...)) has no timeout and no ctx, so `helm repo add/update` hangs forever on a stalled repo server.
// Fix: the http/https Provider.New appends a default WithTimeout(120s) option, so the getter http.Client gets a Timeout.
// Rule: nodeadline

package getter

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
)

// HTTPGetter is the default HTTP(/S) backend handler
type HTTPGetter struct {
	opts      options
	transport *http.Transport
	once      sync.Once
}

// Get performs a Get from repo.Getter and returns the body.
func (g *HTTPGetter) Get(href string, options ...Option) (*bytes.Buffer, error) {
	for _, opt := range options {
		opt(&g.opts)
	}
	return g.get(href)
}

func (g *HTTPGetter) get(href string) (*bytes.Buffer, error) {
	// Set a helm specific user agent so that a repo server and metrics can
	// separate helm calls from other tools interacting with repos.
	req, err := http.NewRequest(http.MethodGet, href, nil)
	if err != nil {
		return nil, err
	}

	req.Header.Set("User-Agent", "Helm/3")
	if g.opts.userAgent != "" {
		req.Header.Set("User-Agent", g.opts.userAgent)
	}

	// Before setting the basic auth credentials, make sure the URL associated
	// with the basic auth is the one being fetched.
	u1, err := url.Parse(g.opts.url)
	if err != nil {
		return nil, fmt.Errorf("Unable to parse getter URL: %w", err)
	}
	u2, err := url.Parse(href)
	if err != nil {
		return nil, fmt.Errorf("Unable to parse URL getting from: %w", err)
	}

	if g.opts.passCredentialsAll || (u1.Scheme == u2.Scheme && u1.Host == u2.Host) {
		if g.opts.username != "" && g.opts.password != "" {
			req.SetBasicAuth(g.opts.username, g.opts.password)
		}
	}

	client, err := g.httpClient()
	if err != nil {
		return nil, err
	}

	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("failed to fetch %s : %s", href, resp.Status)
	}

	buf := bytes.NewBuffer(nil)
	_, err = io.Copy(buf, resp.Body)
	return buf, err
}

// NewHTTPGetter constructs a valid http/https client as a Getter
func NewHTTPGetter(options ...Option) (Getter, error) {
	var client HTTPGetter

	for _, opt := range options {
		opt(&client.opts)
	}

	return &client, nil
}

func (g *HTTPGetter) httpClient() (*http.Client, error) {
	if g.opts.transport != nil {
		return &http.Client{
			Transport: g.opts.transport,
			Timeout:   g.opts.timeout,
		}, nil
	}

	g.once.Do(func() {
		g.transport = &http.Transport{
			DisableCompression: true,
			Proxy:              http.ProxyFromEnvironment,
		}
	})

	client := &http.Client{
		Transport: g.transport,
		Timeout:   g.opts.timeout,
	}

	return client, nil
}
