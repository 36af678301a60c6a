// Recall case cc-skaffold-kaniko-pod-delete
// Source: github.com/GoogleContainerTools/skaffold commit c1bcc310889278a0dd82d5b82dd0c2be08766190 (pkg/skaffold/build/cluster/kaniko.go)
// Link: https://github.com/GoogleContainerTools/skaffold/commit/c1bcc310889278a0dd82d5b82dd0c2be08766190
// Bug: The deferred kaniko pod deletion reuses the build ctx; when the build is interrupted (Ctrl+C) that ctx is already cancelled, so pods.Delete fails immediately and the pod is leaked in the cluster.
// Fix: The deferred cleanup creates a fresh context.WithTimeout(context.Background(), 3*time.Second) for pods.Delete.
// Rule: cleanupctx
package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Pod is a minimal stand-in for v1.Pod.
type Pod struct {
	Name   string `json:"name"`
	Status struct {
		Phase string `json:"phase"`
	} `json:"status"`
}

type DeleteOptions struct {
	GracePeriodSeconds *int64 `json:"gracePeriodSeconds,omitempty"`
}

// PodInterface is a stand-in for client-go corev1.PodInterface.
type PodInterface interface {
	Create(ctx context.Context, pod *Pod) (*Pod, error)
	Get(ctx context.Context, name string) (*Pod, error)
	Delete(ctx context.Context, name string, opts DeleteOptions) error
}

// restPods talks to the Kubernetes API server over HTTP.
type restPods struct {
	hc        *http.Client
	apiServer string
	namespace string
}

func (p *restPods) url(name string) string {
	u := fmt.Sprintf("%s/api/v1/namespaces/%s/pods", p.apiServer, p.namespace)
	if name != "" {
		u += "/" + name
	}
	return u
}

func (p *restPods) do(ctx context.Context, method, url string, in, out interface{}) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, url, &body)
	if err != nil {
		return err
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

func (p *restPods) Create(ctx context.Context, pod *Pod) (*Pod, error) {
	var out Pod
	return &out, p.do(ctx, http.MethodPost, p.url(""), pod, &out)
}

func (p *restPods) Get(ctx context.Context, name string) (*Pod, error) {
	var out Pod
	return &out, p.do(ctx, http.MethodGet, p.url(name), nil, &out)
}

func (p *restPods) Delete(ctx context.Context, name string, opts DeleteOptions) error {
	return p.do(ctx, http.MethodDelete, p.url(name), opts, nil)
}
