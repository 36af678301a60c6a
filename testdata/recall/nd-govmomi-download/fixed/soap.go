// Recall case nd-govmomi-download
// Source: github.com/vmware/govmomi commit 54b160b2c05a1e30445f095c22d21ebf6ffa6f84 (vim25/soap/client.go, object/datastore.go)
// Link: https://github.com/vmware/govmomi/commit/54b160b2c05a1e30445f095c22d21ebf6ffa6f84
// Bug: Datastore.Download(ctx) calls soap Client.Download -> DownloadRequest, which builds the GET with http.NewRequest (no ctx) and sends it on the embedded http.Client that has no Timeout, so a stalled ESX/vCenter download blocks forever and ignores the caller's deadline
// Fix: Download/DownloadRequest take a ctx and attach it with req.WithContext(ctx); Datastore.Download passes its ctx through
// Rule: nodeadline
package govmomi

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
)

// Client is the reduced vim25/soap.Client: it embeds the http.Client used
// for SOAP round trips and for datastore file transfers.
type Client struct {
	http.Client

	u *url.URL
	k bool // Named after curl's -k flag
	t *http.Transport
}

func NewClient(u *url.URL, insecure bool) *Client {
	c := Client{
		u: u,
		k: insecure,
	}

	// Initialize http.RoundTripper on client, so we can customize it below
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		c.t = &http.Transport{
			Proxy:                 t.Proxy,
			DialContext:           t.DialContext,
			MaxIdleConns:          t.MaxIdleConns,
			IdleConnTimeout:       t.IdleConnTimeout,
			TLSHandshakeTimeout:   t.TLSHandshakeTimeout,
			ExpectContinueTimeout: t.ExpectContinueTimeout,
		}
	} else {
		c.t = new(http.Transport)
	}

	c.t.TLSClientConfig = &tls.Config{InsecureSkipVerify: c.k}

	c.Client.Transport = c.t
	c.Client.Jar, _ = cookiejar.New(nil)

	// Remove user information from a copy of the URL
	c.u = c.URL()
	c.u.User = nil

	return &c
}

// URL returns the URL to which the client is configured
func (c *Client) URL() *url.URL {
	urlCopy := *c.u
	return &urlCopy
}

type Download struct {
	Method  string
	Headers map[string]string
	Ticket  *http.Cookie
}

var DefaultDownload = Download{
	Method: "GET",
}

// DownloadRequest wraps http.Client.Do, returning the http.Response without checking its StatusCode
func (c *Client) DownloadRequest(ctx context.Context, u *url.URL, param *Download) (*http.Response, error) {
	req, err := http.NewRequest(param.Method, u.String(), nil)
	if err != nil {
		return nil, err
	}

	req = req.WithContext(ctx)

	for k, v := range param.Headers {
		req.Header.Add(k, v)
	}

	if param.Ticket != nil {
		req.AddCookie(param.Ticket)
	}

	return c.Client.Do(req)
}

// Download GETs the remote file from the given URL
func (c *Client) Download(ctx context.Context, u *url.URL, param *Download) (io.ReadCloser, int64, error) {
	res, err := c.DownloadRequest(ctx, u, param)
	if err != nil {
		return nil, 0, err
	}

	switch res.StatusCode {
	case http.StatusOK:
	default:
		err = errors.New(res.Status)
	}

	if err != nil {
		return nil, 0, err
	}

	r := res.Body

	return r, res.ContentLength, nil
}
