// Recall case sd-crossplane-trace-list-ctx
// Source: github.com/crossplane/crossplane commit 3634cb5864cd0b40c9a7c0669e4a28b8a4a0e54d (cmd/crank/beta/trace/internal/resource/client.go)
// Link: https://github.com/crossplane/crossplane/commit/3634cb5864cd0b40c9a7c0669e4a28b8a4a0e54d
// Bug: ListResources takes the caller's ctx but lists the resources with client.List(context.Background(), ...), so the caller's deadline/cancellation never reaches the API server request.
// Fix: pass the supplied ctx to client.List.
// Rule: sharedeadline
package resource

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ---------------------------------------------------------------------------
// Stub of the controller-runtime client (client.Client Get/List on
// unstructured objects): REST GETs against the API server with the caller's
// ctx attached. The rest.Config used by the CLI sets no http.Client.Timeout.
// ---------------------------------------------------------------------------

type ObjectReference struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
}

type Unstructured struct {
	Object map[string]any
}

type UnstructuredList struct {
	APIVersion string
	Kind       string
	Items      []Unstructured
}

type Client struct {
	BaseURL    string
	HTTPClient *http.Client
}

func (c *Client) resourceURL(apiVersion, kind, namespace, name string) string {
	prefix := "/apis/" + apiVersion
	if !strings.Contains(apiVersion, "/") {
		prefix = "/api/" + apiVersion
	}
	p := prefix
	if namespace != "" {
		p += "/namespaces/" + url.PathEscape(namespace)
	}
	p += "/" + strings.ToLower(kind) + "s"
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return c.BaseURL + p
}

func (c *Client) getJSON(ctx context.Context, u string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: unexpected status %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

func (c *Client) Get(ctx context.Context, ref *ObjectReference, obj *Unstructured) error {
	return c.getJSON(ctx, c.resourceURL(ref.APIVersion, ref.Kind, ref.Namespace, ref.Name), &obj.Object)
}

func (c *Client) List(ctx context.Context, list *UnstructuredList) error {
	var raw struct {
		Items []map[string]any `json:"items"`
	}
	if err := c.getJSON(ctx, c.resourceURL(list.APIVersion, list.Kind, "", ""), &raw); err != nil {
		return err
	}
	for _, it := range raw.Items {
		list.Items = append(list.Items, Unstructured{Object: it})
	}
	return nil
}

// ---------------------------------------------------------------------------
// cmd/crank/beta/trace/internal/resource/client.go
// (called from trace.Cmd.Run with its ctx)
// ---------------------------------------------------------------------------

type Resource struct {
	Unstructured Unstructured
	Error        error
}

type ResourceList struct {
	Items []*Resource
	Error error
}

// GetResource returns the requested Resource, setting any error as Resource.Error.
func GetResource(ctx context.Context, client *Client, ref *ObjectReference) *Resource {
	result := Unstructured{}
	err := client.Get(ctx, ref, &result)
	if err != nil {
		result.Object = map[string]any{
			"metadata": map[string]any{"name": ref.Name, "namespace": ref.Namespace},
		}
	}
	return &Resource{Unstructured: result, Error: err}
}

// ListResources returns requested Resources matching the references, setting any error as Resource.Error.
func ListResources(ctx context.Context, client *Client, ref *ObjectReference) *ResourceList {
	result := UnstructuredList{APIVersion: ref.APIVersion, Kind: ref.Kind}

	err := client.List(ctx, &result)
	resources := make([]*Resource, 0, len(result.Items))
	for i := range result.Items {
		resources = append(resources, &Resource{
			Unstructured: result.Items[i],
		})
	}

	return &ResourceList{
		Items: resources,
		Error: err,
	}
}
