// Recall case sd-kangal-proxyctx
// Source: github.com/hellofresh/kangal commit 7f5324fab9ac681362607ea1ec1c3c14d5052197 (pkg/proxy/proxy.go)
// Link: https://github.com/hellofresh/kangal/commit/7f5324fab9ac681362607ea1ec1c3c14d5052197
// Bug: The HTTP handlers start a fresh KubeTimeout budget with context.WithTimeout(context.Background(), ...) for their Kubernetes calls, ignoring the request context r.Context(), so the calls keep running after the client goes away or the server deadline passes.
// Fix: Derive the timeout context from r.Context() instead of context.Background().
// Rule: sharedeadline
package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Client stands in for pkg/kubernetes.Client: it talks to the Kubernetes API
// server over HTTP with the ctx it is given.
type Client struct {
	apiServer  string
	httpClient *http.Client
}

// NewClient creates a kube client for the given API server URL.
func NewClient(apiServer string, hc *http.Client) *Client {
	return &Client{apiServer: apiServer, httpClient: hc}
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.apiServer+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("kube api: %s", resp.Status)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// CountActiveLoadTests counts load tests that are not finished.
func (c *Client) CountActiveLoadTests(ctx context.Context) (int, error) {
	var list struct {
		Items []LoadTest `json:"items"`
	}
	if err := c.do(ctx, http.MethodGet, "/apis/kangal.hellofresh.com/v1/loadtests", nil, &list); err != nil {
		return 0, err
	}
	n := 0
	for _, lt := range list.Items {
		if lt.Phase != "finished" && lt.Phase != "errored" {
			n++
		}
	}
	return n, nil
}

// CreateLoadTest creates the LoadTest resource and returns its name.
func (c *Client) CreateLoadTest(ctx context.Context, lt *LoadTest) (string, error) {
	var created LoadTest
	if err := c.do(ctx, http.MethodPost, "/apis/kangal.hellofresh.com/v1/loadtests", lt, &created); err != nil {
		return "", err
	}
	return created.Name, nil
}

// GetLoadTest fetches a LoadTest resource by name.
func (c *Client) GetLoadTest(ctx context.Context, name string) (*LoadTest, error) {
	var lt LoadTest
	if err := c.do(ctx, http.MethodGet, "/apis/kangal.hellofresh.com/v1/loadtests/"+name, nil, &lt); err != nil {
		return nil, err
	}
	return &lt, nil
}
