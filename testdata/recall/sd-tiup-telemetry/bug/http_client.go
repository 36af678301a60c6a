// Recall case sd-tiup-telemetry
// Source: github.com/pingcap/tiup commit ef7963905a50339eb05169d7812a2426bf3cffa7 (pkg/utils/http_client.go)
// Link: https://github.com/pingcap/tiup/commit/ef7963905a50339eb05169d7812a2426bf3cffa7
// Bug: Telemetry.Report receives the caller's 2-second ctx but HTTPClient.Post ignores it and uses the client's own fixed 10-second Timeout, so the report outlives the caller's deadline.
// Fix: HTTPClient.Get/Post take a ctx and build the request with req.WithContext(ctx); Report passes its ctx through.
// Rule: sharedeadline
package telemetry

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// HTTPClient is a wrap of http.Client
type HTTPClient struct {
	client *http.Client
}

// NewHTTPClient returns a new HTTP client with timeout and HTTPS support
func NewHTTPClient(timeout time.Duration, tlsConfig *tls.Config) *HTTPClient {
	if timeout < time.Second {
		timeout = 10 * time.Second // default timeout is 10s
	}
	tr := &http.Transport{
		TLSClientConfig: tlsConfig,
		Dial:            (&net.Dialer{Timeout: 5 * time.Second}).Dial,
	}
	return &HTTPClient{
		client: &http.Client{
			Timeout:   timeout,
			Transport: tr,
		},
	}
}

// Get fetch an URL with GET method and returns the response
func (c *HTTPClient) Get(url string) ([]byte, error) {
	res, err := c.client.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()

	return checkHTTPResponse(res)
}

// Post send a POST request to the url and returns the response
func (c *HTTPClient) Post(url string, body io.Reader) ([]byte, error) {
	res, err := c.client.Post(url, "application/json", body)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()

	return checkHTTPResponse(res)
}

// checkHTTPResponse checks if an HTTP response is with normal status codes
func checkHTTPResponse(res *http.Response) ([]byte, error) {
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode < 200 || res.StatusCode >= 400 {
		return body, fmt.Errorf("error requesting %s, response: %s, code %d",
			res.Request.URL, string(body), res.StatusCode)
	}
	return body, nil
}
