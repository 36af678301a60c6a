// Recall case nd-pulsar-admin-httpclient
// Source: github.com/apache/pulsar-client-go commit 29fc614b7ee907e665126191445efd8685be05b3 (pulsaradmin/pkg/pulsar/admin.go)
// Link: https://github.com/apache/pulsar-client-go/commit/29fc614b7ee907e665126191445efd8685be05b3
// Bug: the admin client's doRequest sends every REST call (e.g. Clusters().List) with http.DefaultClient and a ctx-less http.NewRequest, so a stuck broker web service hangs the call forever.
// Fix: DefaultConfig and the doRequest fallback use &http.Client{Timeout: DefaultHTTPTimeOutDuration} (5m) and the TLS transport gets a TLSHandshakeTimeout.
// Rule: nodeadline
package pulsar

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

const (
	DefaultWebServiceURL       = "http://localhost:8080"
	DefaultHTTPTimeOutDuration = 5 * time.Minute
)

var ReleaseVersion = "None"

// Config is used to configure the admin client
type Config struct {
	WebServiceURL string
	HTTPClient    *http.Client
	APIVersion    string
	TLSConfig     *tls.Config
}

// DefaultConfig returns a default configuration for the pulsar admin client
func DefaultConfig() *Config {
	config := &Config{
		WebServiceURL: DefaultWebServiceURL,
		HTTPClient: &http.Client{
			Timeout: DefaultHTTPTimeOutDuration,
		},
	}
	return config
}

// Client provides a client to the Pulsar Restful API
type Client interface {
	Clusters() Clusters
}

type client struct {
	webServiceURL string
	apiVersion    string
	httpClient    *http.Client
	versionInfo   string

	transport *http.Transport
}

// New returns a new client
func New(config *Config) (Client, error) {
	if len(config.WebServiceURL) == 0 {
		config.WebServiceURL = DefaultWebServiceURL
	}

	c := &client{
		apiVersion:    config.APIVersion,
		webServiceURL: config.WebServiceURL,
		versionInfo:   ReleaseVersion,
	}

	if strings.HasPrefix(c.webServiceURL, "https://") {
		c.transport = &http.Transport{
			TLSHandshakeTimeout: 15 * time.Second,
			MaxIdleConnsPerHost: 10,
			TLSClientConfig:     config.TLSConfig,
		}
	}

	return c, nil
}

// Clusters is admin interface for clusters management
type Clusters interface {
	// List returns the list of clusters
	List() ([]string, error)
}

type clusters struct {
	client   *client
	basePath string
}

// Clusters is used to access the cluster endpoints.
func (c *client) Clusters() Clusters {
	return &clusters{
		client:   c,
		basePath: "/clusters",
	}
}

func (c *clusters) List() ([]string, error) {
	var clusters []string
	err := c.client.get(c.client.endpoint(c.basePath), &clusters)
	return clusters, err
}

func makeHTTPPath(apiVersion string, componentPath string) string {
	return fmt.Sprintf("/admin/%s%s", apiVersion, componentPath)
}

func endpoint(parts ...string) string {
	return path.Join(parts...)
}

func (c *client) endpoint(componentPath string, parts ...string) string {
	return path.Join(makeHTTPPath(c.apiVersion, componentPath), endpoint(parts...))
}

func (c *client) getWithQueryParams(endpoint string, obj any, params map[string]string,
	decode bool) ([]byte, error) {

	req, err := c.newRequest(http.MethodGet, endpoint)
	if err != nil {
		return nil, err
	}

	if params != nil {
		query := req.url.Query()
		for k, v := range params {
			query.Add(k, v)
		}
		req.params = query
	}

	resp, err := checkSuccessful(c.doRequest(req))
	if err != nil {
		return nil, err
	}
	defer safeRespClose(resp)

	if obj != nil {
		if err := decodeJSONBody(resp, &obj); err != nil {
			return nil, err
		}
	} else if !decode {
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		return body, err
	}

	return nil, err
}

func (c *client) get(endpoint string, obj any) error {
	_, err := c.getWithQueryParams(endpoint, obj, nil, true)
	return err
}

type request struct {
	method      string
	contentType string
	url         *url.URL
	params      url.Values

	obj  any
	body io.Reader
}

func (r *request) toHTTP() (*http.Request, error) {
	r.url.RawQuery = r.params.Encode()

	// add a request body if there is one
	if r.body == nil && r.obj != nil {
		body, err := encodeJSONBody(r.obj)
		if err != nil {
			return nil, err
		}
		r.body = body
	}

	req, err := http.NewRequest(r.method, r.url.RequestURI(), r.body)
	if err != nil {
		return nil, err
	}

	req.URL.Host = r.url.Host
	req.URL.Scheme = r.url.Scheme
	req.Host = r.url.Host
	return req, nil
}

func (c *client) newRequest(method, path string) (*request, error) {
	base, _ := url.Parse(c.webServiceURL)
	u, err := url.Parse(path)
	if err != nil {
		return nil, err
	}

	req := &request{
		method: method,
		url: &url.URL{
			Scheme: base.Scheme,
			User:   base.User,
			Host:   base.Host,
			Path:   endpoint(base.Path, u.Path),
		},
		params: make(url.Values),
	}
	return req, nil
}

func (c *client) useragent() string {
	return c.versionInfo
}

func (c *client) doRequest(r *request) (*http.Response, error) {
	req, err := r.toHTTP()
	if err != nil {
		return nil, err
	}

	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	} else {
		// add default headers
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
	}

	req.Header.Set("User-Agent", c.useragent())

	hc := c.httpClient
	if hc == nil {
		hc = &http.Client{
			Timeout: DefaultHTTPTimeOutDuration,
		}
	}

	if c.transport != nil {
		hc.Transport = c.transport
	}

	return hc.Do(req)
}

// encodeJSONBody is used to JSON encode a body
func encodeJSONBody(obj any) (io.Reader, error) {
	buf := bytes.NewBuffer(nil)
	enc := json.NewEncoder(buf)
	if err := enc.Encode(obj); err != nil {
		return nil, err
	}
	return buf, nil
}

// decodeJSONBody is used to JSON decode a body
func decodeJSONBody(resp *http.Response, out any) error {
	dec := json.NewDecoder(resp.Body)
	return dec.Decode(out)
}

// safeRespClose is used to close a response body
func safeRespClose(resp *http.Response) {
	if resp != nil {
		// ignore error since it is closing a response body
		_ = resp.Body.Close()
	}
}

// Error is a pulsar admin REST error.
type Error struct {
	Reason string `json:"reason"`
	Code   int
}

func (e Error) Error() string {
	return fmt.Sprintf("code: %d reason: %s", e.Code, e.Reason)
}

// responseError is used to parse a response into a pulsar error
func responseError(resp *http.Response) error {
	var e Error
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.Reason = err.Error()
		e.Code = resp.StatusCode
		return e
	}

	_ = json.Unmarshal(body, &e)

	e.Code = resp.StatusCode

	if e.Reason == "" {
		e.Reason = "Unknown error"
	}

	return e
}

// respIsOk is used to validate a successful http status code
func respIsOk(resp *http.Response) bool {
	return resp.StatusCode >= http.StatusOK && resp.StatusCode <= http.StatusNoContent
}

// checkSuccessful checks for a valid response and parses an error
func checkSuccessful(resp *http.Response, err error) (*http.Response, error) {
	if err != nil {
		safeRespClose(resp)
		return nil, err
	}

	if !respIsOk(resp) {
		defer safeRespClose(resp)
		return nil, responseError(resp)
	}

	return resp, nil
}
