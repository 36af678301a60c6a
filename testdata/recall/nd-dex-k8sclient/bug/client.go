// Recall case nd-dex-k8sclient
// Source: github.com/dexidp/dex commit 0318cd99b088310f444ef74a0477f75a63d003d7 (storage/kubernetes/client.go)
// Link: https://github.com/dexidp/dex/commit/0318cd99b088310f444ef74a0477f75a63d003d7
// Bug: newClient builds the Kubernetes storage http.Client with no Timeout, and client.get/put/delete issue c.client.Get / http.NewRequest without a ctx, so every storage call (GetAuthRequest, GetClient, DeleteAuthRequest, ...) can hang forever on a stalled API server.
// Fix: newClient sets Timeout: 15 * time.Second on the http.Client.
// Rule: nodeadline
package k8sstorage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

var ErrNotFound = errors.New("not found")

type client struct {
	client     *http.Client
	baseURL    string
	namespace  string
	apiVersion string
}

func (c *client) urlFor(apiVersion, namespace, resource, name string) string {
	basePath := "apis/"
	if apiVersion == "v1" {
		basePath = "api/"
	}

	var p string
	if namespace != "" {
		p = path.Join(basePath, apiVersion, "namespaces", namespace, resource, name)
	} else {
		p = path.Join(basePath, apiVersion, resource, name)
	}
	if strings.HasSuffix(c.baseURL, "/") {
		return c.baseURL + p
	}
	return c.baseURL + "/" + p
}

type httpErr struct {
	method string
	url    string
	status int
	body   []byte
}

func (e *httpErr) Error() string {
	return fmt.Sprintf("%s %s %s: response from server \"%s\"", e.method, e.url, http.StatusText(e.status), bytes.TrimSpace(e.body))
}

func checkHTTPErr(r *http.Response, validStatusCodes ...int) error {
	for _, status := range validStatusCodes {
		if r.StatusCode == status {
			return nil
		}
	}

	body, err := io.ReadAll(io.LimitReader(r.Body, 2<<15)) // 64 KiB
	if err != nil {
		return fmt.Errorf("read response body: %v", err)
	}

	if r.StatusCode == http.StatusNotFound {
		return ErrNotFound
	}

	var url, method string
	if r.Request != nil {
		method = r.Request.Method
		url = r.Request.URL.String()
	}
	return &httpErr{method, url, r.StatusCode, body}
}

// Close the response body. The initial request is drained so the connection can
// be reused.
func closeResp(r *http.Response) {
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
}

func (c *client) get(resource, name string, v interface{}) error {
	url := c.urlFor(c.apiVersion, c.namespace, resource, name)
	resp, err := c.client.Get(url)
	if err != nil {
		return err
	}
	defer closeResp(resp)
	if err := checkHTTPErr(resp, http.StatusOK); err != nil {
		return err
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (c *client) delete(resource, name string) error {
	url := c.urlFor(c.apiVersion, c.namespace, resource, name)
	req, err := http.NewRequest("DELETE", url, nil)
	if err != nil {
		return fmt.Errorf("create delete request: %v", err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("delete request: %v", err)
	}
	defer closeResp(resp)
	return checkHTTPErr(resp, http.StatusOK)
}

func (c *client) put(resource, name string, v interface{}) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marshal object: %v", err)
	}

	url := c.urlFor(c.apiVersion, c.namespace, resource, name)
	req, err := http.NewRequest("PUT", url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("create patch request: %v", err)
	}

	req.Header.Set("Content-Length", strconv.Itoa(len(body)))

	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("patch request: %v", err)
	}
	defer closeResp(resp)

	return checkHTTPErr(resp, http.StatusOK)
}

type Cluster struct {
	Server string
}

type AuthInfo struct {
	Token string
}

func newClient(cluster Cluster, user AuthInfo, namespace string) (*client, error) {
	var t http.RoundTripper
	httpTransport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		Dial: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).Dial,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
	t = httpTransport

	if user.Token != "" {
		t = transport{
			updateReq: func(r *http.Request) {
				r.Header.Set("Authorization", "Bearer "+user.Token)
			},
			base: t,
		}
	}

	apiVersion := "dex.coreos.com/v1"

	return &client{
		client:     &http.Client{Transport: t},
		baseURL:    cluster.Server,
		namespace:  namespace,
		apiVersion: apiVersion,
	}, nil
}

type transport struct {
	updateReq func(r *http.Request)
	base      http.RoundTripper
}

func (t transport) RoundTrip(r *http.Request) (*http.Response, error) {
	// shallow copy of the struct
	r2 := new(http.Request)
	*r2 = *r
	// deep copy of the Header
	r2.Header = make(http.Header, len(r.Header))
	for k, s := range r.Header {
		r2.Header[k] = append([]string(nil), s...)
	}
	t.updateReq(r2)
	return t.base.RoundTrip(r2)
}

// ---- storage/kubernetes/storage.go (entry points) ----

const (
	resourceAuthRequest = "authrequests"
	resourceClient      = "oauth2clients"
)

type AuthRequest struct {
	ID       string `json:"id"`
	ClientID string `json:"clientID"`
}

type Client struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

func (cli *client) GetAuthRequest(id string) (AuthRequest, error) {
	var req AuthRequest
	if err := cli.get(resourceAuthRequest, id, &req); err != nil {
		return AuthRequest{}, err
	}
	return req, nil
}

func (cli *client) GetClient(id string) (Client, error) {
	var c Client
	if err := cli.get(resourceClient, id, &c); err != nil {
		return Client{}, err
	}
	if c.ID != id {
		return Client{}, fmt.Errorf("get client: ID %q mapped to client with ID %q", id, c.ID)
	}
	return c, nil
}

func (cli *client) DeleteAuthRequest(id string) error {
	return cli.delete(resourceAuthRequest, id)
}

func (cli *client) UpdateClient(id string, updater func(old Client) (Client, error)) error {
	c, err := cli.GetClient(id)
	if err != nil {
		return err
	}
	updated, err := updater(c)
	if err != nil {
		return err
	}
	return cli.put(resourceClient, id, updated)
}
