// Recall case nd-oxia-k8sclient
// Source: github.com/oxia-db/oxia commit 06b299a9ef75a291d4b9583b99089ddfb019ea6e (oxiad/coordinator/metadata/k8s_client.go)
// Link: https://github.com/oxia-db/oxia/commit/06b299a9ef75a291d4b9583b99089ddfb019ea6e
// Bug: clientImpl.Upsert, Delete and Get call the Kubernetes API server with context.Background(), so a stuck API server blocks the coordinator metadata calls forever.
// Fix: each method now uses context.WithTimeout(context.Background(), k8sRequestTimeout) (30s) for the API calls.
// Rule: nodeadline
package metadata

import (
	"context"
	"encoding/json"
	"net/http"
)

const fieldManager = "oxia-coordinator"

func K8SConfigMaps(hc *http.Client, apiServer string) Client[ConfigMap] {
	return newNamespaceClient[ConfigMap](func(namespace string) ResourceInterface[ConfigMap] {
		return &configMapsREST{http: hc, baseURL: apiServer, namespace: namespace}
	})
}

func newNamespaceClient[Resource resource](clientFunc func(string) ResourceInterface[Resource]) Client[Resource] {
	return &clientImpl[Resource]{
		clientFunc: clientFunc,
	}
}

type ResourceInterface[Resource resource] interface {
	Create(ctx context.Context, resource *Resource) (*Resource, error)
	Delete(ctx context.Context, name string) error
	Get(ctx context.Context, name string) (*Resource, error)
	Patch(ctx context.Context, name string, data []byte, fieldManager string, force bool) (*Resource, error)
}

type resource interface {
	ConfigMap
}

type Client[Resource resource] interface {
	Upsert(namespace, name string, resource *Resource) (*Resource, error)
	Delete(namespace, name string) error
	Get(namespace, name string) (*Resource, error)
}

type clientImpl[Resource resource] struct {
	clientFunc func(string) ResourceInterface[Resource]
}

func (c *clientImpl[Resource]) Upsert(namespace, name string, resource *Resource) (*Resource, error) {
	ctx := context.Background()
	client := c.clientFunc(namespace)

	desiredBytes, err := json.Marshal(resource)
	if err != nil {
		return nil, err
	}

	result, err := client.Patch(ctx, name, desiredBytes, fieldManager, true)

	if IsNotFound(err) {
		return client.Create(ctx, resource)
	}

	return result, err
}

func (c *clientImpl[Resource]) Delete(namespace, name string) error {
	client := c.clientFunc(namespace)
	return client.Delete(context.Background(), name)
}

func (c *clientImpl[Resource]) Get(namespace, name string) (*Resource, error) {
	client := c.clientFunc(namespace)
	return client.Get(context.Background(), name)
}
