// Recall case nd-tingly-box-google-client-timeout
// Source: github.com/tingly-dev/tingly-box commit 72542eda0ca527687efa6db84f0115adafa273cc (internal/client/google.go)
// Link: https://github.com/tingly-dev/tingly-box/commit/72542eda0ca527687efa6db84f0115adafa273cc
// Bug: NewGoogleClient builds &http.Client{Transport: ...} with no Timeout and hands it to the genai SDK, so GenerateContent calls to the upstream model API can hang indefinitely.
// Fix: the http.Client gets Timeout set from provider.Timeout, falling back to constant.DefaultRequestTimeout when unset.
// Rule: nodeadline
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
)

// Provider mirrors typ.Provider.
type Provider struct {
	UUID        string
	APIBase     string
	AccessToken string
	ProxyURL    string
	Timeout     int64 // seconds
}

func (p *Provider) GetAccessToken() string { return p.AccessToken }

// genaiClient stands in for google.golang.org/genai.Client: it sends the
// request through the configured *http.Client.
type genaiClient struct {
	Models *genaiModels
}

type genaiModels struct {
	baseURL    string
	apiKey     string
	httpClient *http.Client
}

type genaiClientConfig struct {
	APIKey     string
	BaseURL    string
	HTTPClient *http.Client
}

func newGenaiClient(_ context.Context, cfg *genaiClientConfig) (*genaiClient, error) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	return &genaiClient{Models: &genaiModels{baseURL: cfg.BaseURL, apiKey: cfg.APIKey, httpClient: cfg.HTTPClient}}, nil
}

func (m *genaiModels) GenerateContent(ctx context.Context, model string, contents []string) (map[string]any, error) {
	body, err := json.Marshal(map[string]any{"contents": contents})
	if err != nil {
		return nil, err
	}
	u := fmt.Sprintf("%s/v1beta/models/%s:generateContent?key=%s", m.baseURL, url.PathEscape(model), url.QueryEscape(m.apiKey))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]any{}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

type loggingRoundTripper struct {
	base     http.RoundTripper
	provider *Provider
}

func (l *loggingRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	log.Printf("provider %s: %s %s", l.provider.UUID, r.Method, r.URL.Host)
	return l.base.RoundTrip(r)
}

func wrapWithLogging(t http.RoundTripper, p *Provider) http.RoundTripper {
	return &loggingRoundTripper{base: t, provider: p}
}

func getTransport(provider *Provider) http.RoundTripper {
	t := &http.Transport{}
	if provider.ProxyURL != "" {
		if u, err := url.Parse(provider.ProxyURL); err == nil {
			t.Proxy = http.ProxyURL(u)
		}
	}
	return t
}

// GoogleClient wraps the Google genai SDK client
type GoogleClient struct {
	client     *genaiClient
	provider   *Provider
	httpClient *http.Client
}

// NewGoogleClient creates a new Google client wrapper.
func NewGoogleClient(provider *Provider, model string) (*GoogleClient, error) {
	transport := getTransport(provider)

	httpClient := &http.Client{Transport: wrapWithLogging(transport, provider)}
	return newGoogleClientFromHTTPClient(provider, httpClient)
}

// newGoogleClientFromHTTPClient builds a GoogleClient around an already-configured
// http.Client.
func newGoogleClientFromHTTPClient(provider *Provider, httpClient *http.Client) (*GoogleClient, error) {
	config := &genaiClientConfig{
		APIKey:     provider.GetAccessToken(),
		BaseURL:    provider.APIBase,
		HTTPClient: httpClient,
	}

	ctx := context.Background()
	client, err := newGenaiClient(ctx, config)
	if err != nil {
		return nil, err
	}

	return &GoogleClient{
		client:     client,
		provider:   provider,
		httpClient: httpClient,
	}, nil
}

// GenerateContent generates content using the Google API
func (c *GoogleClient) GenerateContent(ctx context.Context, model string, contents []string) (map[string]any, error) {
	return c.client.Models.GenerateContent(ctx, model, contents)
}
