// Recall case nd-wrangler-summaryinformer
// Source: github.com/rancher/wrangler commit 0426674257f1615812d9cfeaf99416162f88b30f (pkg/summary/informer/informer.go)
// Link: https://github.com/rancher/wrangler/commit/0426674257f1615812d9cfeaf99416162f88b30f
// Bug: the summary informer's ListFunc/WatchFunc closures call the API server List/Watch with context.TODO(), so the HTTP calls have no deadline and ignore the informer's context.
// Fix: switch to ListWithContextFunc/WatchFuncWithContext and pass the informer-supplied ctx to List/Watch.
// Rule: nodeadline
package informer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// ListOptions is a reduced metav1.ListOptions.
type ListOptions struct {
	LabelSelector   string
	ResourceVersion string
}

// GroupVersionResource identifies a resource type.
type GroupVersionResource struct{ Group, Version, Resource string }

// SummarizedObjectList is the decoded list response.
type SummarizedObjectList struct {
	Items []json.RawMessage `json:"items"`
}

// Client is a stand-in for the summary dynamic client; it really talks HTTP to the API server.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// ResourceInterface is the namespaced resource accessor.
type ResourceInterface struct {
	c         *Client
	gvr       GroupVersionResource
	namespace string
}

func (c *Client) Resource(gvr GroupVersionResource) *ResourceInterface {
	return &ResourceInterface{c: c, gvr: gvr}
}

func (r *ResourceInterface) Namespace(ns string) *ResourceInterface {
	return &ResourceInterface{c: r.c, gvr: r.gvr, namespace: ns}
}

func (r *ResourceInterface) url(opts ListOptions, watch bool) string {
	q := url.Values{}
	q.Set("labelSelector", opts.LabelSelector)
	q.Set("resourceVersion", opts.ResourceVersion)
	if watch {
		q.Set("watch", "true")
	}
	return fmt.Sprintf("%s/apis/%s/%s/namespaces/%s/%s?%s", r.c.BaseURL, r.gvr.Group, r.gvr.Version, r.namespace, r.gvr.Resource, q.Encode())
}

// List performs a GET list request.
func (r *ResourceInterface) List(ctx context.Context, opts ListOptions) (*SummarizedObjectList, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url(opts, false), nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := &SummarizedObjectList{}
	return out, json.NewDecoder(resp.Body).Decode(out)
}

// Watch opens a streaming watch request.
func (r *ResourceInterface) Watch(ctx context.Context, opts ListOptions) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url(opts, true), nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// ListWatch is a stand-in for k8s.io/client-go/tools/cache.ListWatch.
type ListWatch struct {
	ListFunc             func(options ListOptions) (*SummarizedObjectList, error)
	WatchFunc            func(options ListOptions) (io.ReadCloser, error)
	ListWithContextFunc  func(ctx context.Context, options ListOptions) (*SummarizedObjectList, error)
	WatchFuncWithContext func(ctx context.Context, options ListOptions) (io.ReadCloser, error)
}

// ListWithContext lists using the context-aware func when set.
func (lw *ListWatch) ListWithContext(ctx context.Context, options ListOptions) (*SummarizedObjectList, error) {
	if lw.ListWithContextFunc != nil {
		return lw.ListWithContextFunc(ctx, options)
	}
	return lw.ListFunc(options)
}

// WatchWithContext watches using the context-aware func when set.
func (lw *ListWatch) WatchWithContext(ctx context.Context, options ListOptions) (io.ReadCloser, error) {
	if lw.WatchFuncWithContext != nil {
		return lw.WatchFuncWithContext(ctx, options)
	}
	return lw.WatchFunc(options)
}

// TweakListOptionsFunc mutates list options.
type TweakListOptionsFunc func(*ListOptions)

type summaryInformer struct {
	lw           *ListWatch
	gvr          GroupVersionResource
	resyncPeriod time.Duration
}

// NewFilteredSummaryInformer constructs a new informer for a summary type.
func NewFilteredSummaryInformer(client *Client, gvr GroupVersionResource, namespace string, resyncPeriod time.Duration, tweakListOptions TweakListOptionsFunc) *summaryInformer {
	lw := &ListWatch{
		ListFunc: func(options ListOptions) (*SummarizedObjectList, error) {
			if tweakListOptions != nil {
				tweakListOptions(&options)
			}
			return client.Resource(gvr).Namespace(namespace).List(context.TODO(), options)
		},
		WatchFunc: func(options ListOptions) (io.ReadCloser, error) {
			if tweakListOptions != nil {
				tweakListOptions(&options)
			}
			return client.Resource(gvr).Namespace(namespace).Watch(context.TODO(), options)
		},
	}
	return &summaryInformer{lw: lw, gvr: gvr, resyncPeriod: resyncPeriod}
}

// Run lists then watches until ctx is done (reduced reflector loop).
func (d *summaryInformer) Run(ctx context.Context) error {
	list, err := d.lw.ListWithContext(ctx, ListOptions{})
	if err != nil {
		return err
	}
	_ = list
	w, err := d.lw.WatchWithContext(ctx, ListOptions{})
	if err != nil {
		return err
	}
	defer w.Close()
	_, err = io.Copy(io.Discard, w)
	return err
}
