// Recall case cc-gateway-api-cleanup-delete
// Source: github.com/kubernetes-sigs/gateway-api commit d9c9d99c91642fc8f81a3df27eecbdbf0ecc934f (conformance/utils/kubernetes/apply.go)
// Link: https://github.com/kubernetes-sigs/gateway-api/commit/d9c9d99c91642fc8f81a3df27eecbdbf0ecc934f
// Bug: The t.Cleanup closures call c.Delete(ctx, ...) with the loop's 60s context whose cancel is deferred in MustApplyWithCleanup, so by the time cleanup runs the context is already cancelled and the delete fails.
// Fix: Each cleanup closure creates a fresh context.WithTimeout(context.Background(), 10*time.Second) for the Delete call.
// Rule: cleanupctx
package kubernetes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"
)

// Object is a reduced stand-in for unstructured.Unstructured.
type Object struct {
	Kind            string `json:"kind"`
	Namespace       string `json:"namespace"`
	Name            string `json:"name"`
	ResourceVersion string `json:"resourceVersion,omitempty"`
	GatewayClass    string `json:"gatewayClassName,omitempty"`
}

var errNotFound = errors.New("not found")

// Client is a stand-in for the controller-runtime client talking to the API server over HTTP.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

func (c *Client) do(ctx context.Context, method string, o *Object, body bool) (*Object, error) {
	var rd io.Reader
	if body {
		b, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	u := fmt.Sprintf("%s/apis/%s/namespaces/%s/%s", c.BaseURL, o.Kind, o.Namespace, o.Name)
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, errNotFound
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %s", method, u, resp.Status)
	}
	out := &Object{}
	if method == http.MethodGet {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *Client) Get(ctx context.Context, o *Object) (*Object, error) { return c.do(ctx, http.MethodGet, o, false) }
func (c *Client) Create(ctx context.Context, o *Object) error {
	_, err := c.do(ctx, http.MethodPost, o, true)
	return err
}
func (c *Client) Update(ctx context.Context, o *Object) error {
	_, err := c.do(ctx, http.MethodPut, o, true)
	return err
}
func (c *Client) Delete(ctx context.Context, o *Object) error {
	_, err := c.do(ctx, http.MethodDelete, o, false)
	return err
}

// MustApplyWithCleanup creates or updates Kubernetes resources defined with the
// provided JSON file and registers a cleanup function for resources it created.
// Note that this does not remove resources that already existed in the cluster.
func MustApplyWithCleanup(t *testing.T, c *Client, location string, gcName string, cleanup bool) {
	data, err := os.ReadFile(location)
	if err != nil {
		t.Fatal(err)
	}

	decoder := json.NewDecoder(bytes.NewReader(data))
	for {
		uObj := Object{}
		if decodeErr := decoder.Decode(&uObj); decodeErr != nil {
			if errors.Is(decodeErr, io.EOF) {
				break
			}
			t.Fatalf("error parsing manifest: %v", decodeErr)
		}

		if uObj.Kind == "Gateway" {
			uObj.GatewayClass = gcName
		}

		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()

		fetchedObj, err := c.Get(ctx, &uObj)
		if err != nil {
			if !errors.Is(err, errNotFound) {
				t.Fatalf("error getting resource: %v", err)
			}
			t.Logf("Creating %s %s", uObj.Name, uObj.Kind)
			err = c.Create(ctx, &uObj)
			if err != nil {
				t.Fatalf("error creating resource: %v", err)
			}

			if cleanup {
				t.Cleanup(func() {
					err = c.Delete(ctx, &uObj)
					if err != nil {
						t.Errorf("error deleting resource: %v", err)
					}
				})
			}
			continue
		}

		uObj.ResourceVersion = fetchedObj.ResourceVersion
		t.Logf("Updating %s %s", uObj.Name, uObj.Kind)
		err = c.Update(ctx, &uObj)

		if cleanup {
			t.Cleanup(func() {
				err = c.Delete(ctx, &uObj)
				if err != nil {
					t.Errorf("error deleting resource: %v", err)
				}
			})
		}
		if err != nil {
			t.Fatalf("error updating resource: %v", err)
		}
	}
}
