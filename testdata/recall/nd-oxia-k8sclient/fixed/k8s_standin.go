// Recall case nd-oxia-k8sclient
// Source: github.com/oxia-db/oxia commit 06b299a9ef75a291d4b9583b99089ddfb019ea6e (oxiad/coordinator/metadata/k8s_client.go)
// Link: https://github.com/oxia-db/oxia/commit/06b299a9ef75a291d4b9583b99089ddfb019ea6e
// Bug: clientImpl.Upsert, Delete and Get call the Kubernetes API server with context.Background(), so a stuck API server blocks the coordinator metadata calls forever.
// Fix: each method now uses context.WithTimeout(context.Background(), k8sRequestTimeout) (30s) for the API calls.
// Rule: nodeadline
package metadata

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// ConfigMap is a stand-in for corev1.ConfigMap.
type ConfigMap struct {
	Name string            `json:"name"`
	Data map[string]string `json:"data"`
}

var errNotFound = errors.New("not found")

// IsNotFound is a stand-in for k8s.io/apimachinery/pkg/api/errors.IsNotFound.
func IsNotFound(err error) bool { return errors.Is(err, errNotFound) }

// configMapsREST is a stand-in for the typed client-go ConfigMaps(namespace)
// client: every call is a real HTTP request to the API server bound to ctx.
type configMapsREST struct {
	http      *http.Client
	baseURL   string
	namespace string
}

func (c *configMapsREST) url(name string) string {
	return fmt.Sprintf("%s/api/v1/namespaces/%s/configmaps/%s", c.baseURL, c.namespace, name)
}

func (c *configMapsREST) do(ctx context.Context, method, url string, body []byte) (*ConfigMap, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, errNotFound
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("api server: %s", resp.Status)
	}
	cm := &ConfigMap{}
	if method == http.MethodDelete {
		return cm, nil
	}
	return cm, json.NewDecoder(resp.Body).Decode(cm)
}

func (c *configMapsREST) Create(ctx context.Context, resource *ConfigMap) (*ConfigMap, error) {
	b, err := json.Marshal(resource)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, http.MethodPost, c.url(""), b)
}

func (c *configMapsREST) Delete(ctx context.Context, name string) error {
	_, err := c.do(ctx, http.MethodDelete, c.url(name), nil)
	return err
}

func (c *configMapsREST) Get(ctx context.Context, name string) (*ConfigMap, error) {
	return c.do(ctx, http.MethodGet, c.url(name), nil)
}

func (c *configMapsREST) Patch(ctx context.Context, name string, data []byte, fieldManager string, force bool) (*ConfigMap, error) {
	return c.do(ctx, http.MethodPatch, c.url(name)+"?fieldManager="+fieldManager+fmt.Sprintf("&force=%v", force), data)
}
