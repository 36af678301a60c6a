// Recall case nd-crowdsec-unixdial
// Source: github.com/crowdsecurity/crowdsec commit 50b419b35e77015f8b811e22a29d30ebbb7e2260 (pkg/apiclient/client.go)
// Link: https://github.com/crowdsecurity/crowdsec/commit/50b419b35e77015f8b811e22a29d30ebbb7e2260
// Bug: The http.Transport DialContext closure for unix-socket LAPI URLs ignores the ctx it is given and calls net.Dial, so connecting to the socket has no deadline and ignores the request's cancellation.
// Fix: Dial through a net.Dialer with DialContext(ctx, "unix", socketPath), threading the transport's ctx.
// Rule: nodeadline
package apiclient

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

var InsecureSkipVerify = false

// ApiClient talks to the local API (LAPI).
type ApiClient struct {
	// The http client used to make requests
	client    *http.Client
	BaseURL   *url.URL
	URLPrefix string
	UserAgent string
}

func NewDefaultClient(url *url.URL, prefix string, userAgent string, client *http.Client) (*ApiClient, error) {
	transport, baseURL := createTransport(url)

	if client == nil {
		client = &http.Client{}

		if transport != nil {
			client.Transport = transport
		} else {
			if ht, ok := http.DefaultTransport.(*http.Transport); ok {
				ht = ht.Clone()
				ht.TLSClientConfig = &tls.Config{InsecureSkipVerify: InsecureSkipVerify}
				client.Transport = ht
			}
		}
	}

	return &ApiClient{client: client, BaseURL: baseURL, UserAgent: userAgent, URLPrefix: prefix}, nil
}

// Do sends an API request with the caller's context.
func (c *ApiClient) Do(ctx context.Context, method, path string) (*http.Response, error) {
	u := c.BaseURL.JoinPath(c.URLPrefix, path)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.UserAgent)
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("performing request: %w", err)
	}
	return resp, nil
}

func createTransport(url *url.URL) (*http.Transport, *url.URL) {
	urlString := url.String()

	// TCP transport
	if !strings.HasPrefix(urlString, "/") {
		return nil, url
	}

	// Unix transport
	url.Path = "/"
	url.Host = "unix"
	url.Scheme = "http"

	dialer := &net.Dialer{}
	socketPath := strings.TrimSuffix(urlString, "/")

	return &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", socketPath)
		},
	}, url
}
