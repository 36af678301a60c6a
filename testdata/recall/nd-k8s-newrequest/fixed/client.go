// Recall case nd-k8s-newrequest
// Source: github.com/ericchiang/k8s commit 33e4a6f7be8a1653d05e3b62512faee48dac469a (client.go)
// Link: https://github.com/ericchiang/k8s/commit/33e4a6f7be8a1653d05e3b62512faee48dac469a
// Bug: Client.get/delete take a ctx but newRequest builds the request with http.NewRequest and never attaches it, so client().Do waits on the API server with no deadline or cancellation (and the default http.Client has no Timeout).
// Fix: newRequest takes ctx and returns req.WithContext(ctx), and get/delete pass their ctx to it.
// Rule: nodeadline
package k8s

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/ioutil"
	"net/http"
)

// codec is a stand-in for the library codec (JSON only here).
type codec struct {
	contentType string
}

func (c *codec) unmarshal(b []byte, v interface{}) error { return json.Unmarshal(b, v) }

// Client is a Kubernetes client.
type Client struct {
	// The URL of the API server.
	Endpoint string

	// SetHeaders provides a hook for modifying the HTTP headers of all requests.
	SetHeaders func(h http.Header) error

	Client *http.Client
}

func checkStatusCode(c *codec, statusCode int, body []byte) error {
	if statusCode/100 == 2 {
		return nil
	}
	return fmt.Errorf("kubernetes api: status %d: %s", statusCode, body)
}

func (c *Client) client() *http.Client {
	if c.Client == nil {
		return http.DefaultClient
	}
	return c.Client
}

func (c *Client) newRequest(ctx context.Context, verb, url string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequest(verb, url, body)
	if err != nil {
		return nil, err
	}
	if c.SetHeaders != nil {
		if err := c.SetHeaders(req.Header); err != nil {
			return nil, err
		}
	}
	return req.WithContext(ctx), nil
}

func (c *Client) delete(ctx context.Context, codec *codec, url string) error {
	r, err := c.newRequest(ctx, "DELETE", url, nil)
	if err != nil {
		return err
	}
	r.Header.Set("Accept", codec.contentType)

	re, err := c.client().Do(r)
	if err != nil {
		return err
	}
	defer re.Body.Close()

	respBody, err := ioutil.ReadAll(re.Body)
	if err != nil {
		return fmt.Errorf("read body: %v", err)
	}

	if err := checkStatusCode(codec, re.StatusCode, respBody); err != nil {
		return err
	}
	return nil
}

// get can be used to either get or list a given resource.
func (c *Client) get(ctx context.Context, codec *codec, url string, resp interface{}) error {
	r, err := c.newRequest(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	r.Header.Set("Accept", codec.contentType)
	re, err := c.client().Do(r)
	if err != nil {
		return err
	}
	defer re.Body.Close()

	respBody, err := ioutil.ReadAll(re.Body)
	if err != nil {
		return fmt.Errorf("read body: %v", err)
	}

	if err := checkStatusCode(codec, re.StatusCode, respBody); err != nil {
		return err
	}
	return codec.unmarshal(respBody, resp)
}
