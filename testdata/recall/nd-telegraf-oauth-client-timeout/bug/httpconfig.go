// Recall case nd-telegraf-oauth-client-timeout
// Source: github.com/influxdata/telegraf commit d77cf92d6c4c6c1c9af9d77e7749247d2afce270 (plugins/common/http/config.go)
// Link: https://github.com/influxdata/telegraf/pull/15900
// Bug: CreateClient sets Timeout on the http.Client, then replaces it with the client returned by CreateOauth2Client, which (like oauth2.NewClient) keeps only the Transport, so OAuth-enabled plugins get a client with no timeout and hang on slow servers.
// Fix: the timeout is applied to whatever client CreateOauth2Client returned (client.Timeout = ... after the call).
// Rule: nodeadline
package httpconfig

import (
	"context"
	"net/http"
	"time"
)

type OAuth2Config struct {
	ClientID     string
	ClientSecret string
	TokenURL     string
}

// oauth2Transport stands in for golang.org/x/oauth2.Transport.
type oauth2Transport struct {
	base     http.RoundTripper
	tokenURL string
}

func (t *oauth2Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(req)
}

func (o *OAuth2Config) CreateOauth2Client(ctx context.Context, client *http.Client) *http.Client {
	if o.ClientID == "" || o.ClientSecret == "" || o.TokenURL == "" {
		return client
	}
	// clientcredentials.Config.Client(ctx): a new http.Client that keeps only the Transport.
	return &http.Client{Transport: &oauth2Transport{base: client.Transport, tokenURL: o.TokenURL}}
}

type HTTPClientConfig struct {
	Timeout               time.Duration
	ResponseHeaderTimeout time.Duration
	OAuth2Config
}

func (h *HTTPClientConfig) CreateClient(ctx context.Context) (*http.Client, error) {
	transport := &http.Transport{
		ResponseHeaderTimeout: h.ResponseHeaderTimeout,
	}

	timeout := h.Timeout
	if timeout == 0 {
		timeout = time.Second * 5
	}

	client := &http.Client{
		Transport: transport,
		Timeout:   timeout,
	}

	client = h.OAuth2Config.CreateOauth2Client(ctx, client)

	return client, nil
}

func gatherURL(h *HTTPClientConfig, url string) error {
	client, err := h.CreateClient(context.Background())
	if err != nil {
		return err
	}
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
