// Recall case sd-kangal-proxyctx
// Source: github.com/hellofresh/kangal commit 7f5324fab9ac681362607ea1ec1c3c14d5052197 (pkg/proxy/proxy.go)
// Link: https://github.com/hellofresh/kangal/commit/7f5324fab9ac681362607ea1ec1c3c14d5052197
// Bug: The HTTP handlers start a fresh KubeTimeout budget with context.WithTimeout(context.Background(), ...) for their Kubernetes calls, ignoring the request context r.Context(), so the calls keep running after the client goes away or the server deadline passes.
// Fix: Derive the timeout context from r.Context() instead of context.Background().
// Rule: sharedeadline
package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// KubeTimeout is the timeout for kubernetes API calls (loadtest.KubeTimeout).
const KubeTimeout = 5 * time.Second

// LoadTest is a minimal stand-in for the LoadTest custom resource.
type LoadTest struct {
	Name            string `json:"name"`
	Type            string `json:"type"`
	DistributedPods int32  `json:"distributedPods"`
	Phase           string `json:"phase,omitempty"`
}

// Proxy handler
type Proxy struct {
	maxLoadTestsRun int
	kubeClient      *Client
}

// NewProxy returns new Proxy handlers
func NewProxy(maxLoadTestsRun int, kubeClient *Client) *Proxy {
	return &Proxy{
		maxLoadTestsRun: maxLoadTestsRun,
		kubeClient:      kubeClient,
	}
}

func renderError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Create creates loadtest CR on POST request
func (p *Proxy) Create(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(context.Background(), KubeTimeout)
	defer cancel()

	// check the number of active loadtests currently running on the cluster
	activeLoadTests, err := p.kubeClient.CountActiveLoadTests(ctx)
	if err != nil {
		renderError(w, http.StatusInternalServerError, "Could not count active load tests")
		return
	}

	if activeLoadTests >= p.maxLoadTestsRun {
		renderError(w, http.StatusTooManyRequests, "Number of active load tests reached limit")
		return
	}

	loadTest := &LoadTest{Type: r.FormValue("type"), DistributedPods: 1}

	lto, err := p.kubeClient.CreateLoadTest(ctx, loadTest)
	if err != nil {
		renderError(w, http.StatusConflict, err.Error())
		return
	}

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{"namespace": lto})
}

// Get returns load test info on GET request
func (p *Proxy) Get(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(context.Background(), KubeTimeout)
	defer cancel()

	ltID := r.PathValue("id")
	loadTest, err := p.kubeClient.GetLoadTest(ctx, ltID)
	if err != nil {
		renderError(w, http.StatusNotFound, fmt.Sprintf("could not get load test: %v", err))
		return
	}

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(loadTest)
}
