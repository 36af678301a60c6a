// Recall case nd-hydra-maester-httpclient
// Source: github.com/ory/hydra-maester commit 27f460aa0512d6bca37fa64fc729516785b1c331 (helpers/http_client.go)
// Link: https://github.com/ory/hydra-maester/commit/27f460aa0512d6bca37fa64fc729516785b1c331
// Bug: CreateHttpClient builds an http.Client with no Timeout, and every Hydra admin call goes through c.HTTPClient.Do with a request built by http.NewRequest (no context), so a Hydra server that accepts the connection but never answers blocks the controller forever.
// Fix: The http.Client is created with Timeout: 5 * time.Second.
// Rule: nodeadline
package hydra

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"time"
)

// CreateHttpClient mirrors helpers.CreateHttpClient.
func CreateHttpClient(insecureSkipVerify bool) (*http.Client, error) {
	tr := &http.Transport{}
	httpClient := &http.Client{
		Timeout: 5 * time.Second,
	}
	if insecureSkipVerify {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		httpClient.Transport = tr
	}
	return httpClient, nil
}

type OAuth2ClientJSON struct {
	ClientID *string `json:"client_id,omitempty"`
	Name     string  `json:"client_name"`
}

type Client interface {
	GetOAuth2Client(id string) (*OAuth2ClientJSON, bool, error)
	DeleteOAuth2Client(id string) error
}

type InternalClient struct {
	HydraURL       url.URL
	HTTPClient     *http.Client
	ForwardedProto string
}

// New returns a new hydra InternalClient instance.
func New(adminURL string, insecureSkipVerify bool) (Client, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return nil, err
	}
	c, err := CreateHttpClient(insecureSkipVerify)
	if err != nil {
		return nil, err
	}
	return &InternalClient{
		HydraURL:   *u.ResolveReference(&url.URL{Path: "/admin/clients"}),
		HTTPClient: c,
	}, nil
}

func (c *InternalClient) GetOAuth2Client(id string) (*OAuth2ClientJSON, bool, error) {
	var jsonClient *OAuth2ClientJSON

	req, err := c.newRequest(http.MethodGet, id, nil)
	if err != nil {
		return nil, false, err
	}

	resp, err := c.do(req, &jsonClient)
	if err != nil {
		return nil, false, err
	}

	switch resp.StatusCode {
	case http.StatusOK:
		return jsonClient, true, nil
	case http.StatusNotFound, http.StatusUnauthorized:
		return nil, false, nil
	default:
		return nil, false, fmt.Errorf("%s %s http request returned unexpected status code %s", req.Method, req.URL.String(), resp.Status)
	}
}

func (c *InternalClient) DeleteOAuth2Client(id string) error {
	req, err := c.newRequest(http.MethodDelete, id, nil)
	if err != nil {
		return err
	}

	resp, err := c.do(req, nil)
	if err != nil {
		return err
	}

	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusNotFound:
		return nil
	default:
		return fmt.Errorf("%s %s http request returned unexpected status code %s", req.Method, req.URL.String(), resp.Status)
	}
}

func (c *InternalClient) newRequest(method, relativePath string, body interface{}) (*http.Request, error) {
	var buf io.ReadWriter
	if body != nil {
		buf = new(bytes.Buffer)
		if err := json.NewEncoder(buf).Encode(body); err != nil {
			return nil, err
		}
	}

	u := c.HydraURL
	u.Path = path.Join(u.Path, relativePath)

	req, err := http.NewRequest(method, u.String(), buf)
	if err != nil {
		return nil, err
	}
	if c.ForwardedProto != "" {
		req.Header.Add("X-Forwarded-Proto", c.ForwardedProto)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

func (c *InternalClient) do(req *http.Request, v interface{}) (*http.Response, error) {
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if v != nil && resp.StatusCode < 300 {
		err = json.NewDecoder(resp.Body).Decode(v)
	}
	return resp, err
}
