// Recall case nd-kuberay-httpproxyclient
// Source: github.com/ray-project/kuberay commit 65364a109cef551697e66cc2b333cbb3cd5be2a1 (ray-operator/controllers/ray/utils/util.go)
// Link: https://github.com/ray-project/kuberay/commit/65364a109cef551697e66cc2b333cbb3cd5be2a1
// Bug: in Kubernetes-proxy mode GetRayHttpProxyClientFunc hands RayHttpProxyClient the manager's http.Client (no Timeout), and CheckProxyActorHealth is called with the reconcile ctx (no deadline), so a stuck apiserver proxy hangs RayServiceReconciler.Reconcile forever.
// Fix: always build an http.Client with Timeout (2s direct / 10s proxied), reusing only the manager's Transport in proxy mode.
// Rule: nodeadline
package rayutils

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ---- stub of controller-runtime manager / client-go rest ----

// RestConfig mirrors the fields of k8s.io/client-go/rest.Config used here.
type RestConfig struct {
	Host    string
	Timeout time.Duration // zero by default, as in client-go
}

// HTTPClientFor mirrors rest.HTTPClientFor: the client Timeout is config.Timeout.
func HTTPClientFor(config *RestConfig) *http.Client {
	return &http.Client{
		Transport: http.DefaultTransport,
		Timeout:   config.Timeout,
	}
}

type Manager interface {
	GetHTTPClient() *http.Client
	GetConfig() *RestConfig
}

type controllerManager struct {
	config     *RestConfig
	httpClient *http.Client
}

func NewManager(config *RestConfig) Manager {
	return &controllerManager{config: config, httpClient: HTTPClientFor(config)}
}

func (m *controllerManager) GetHTTPClient() *http.Client { return m.httpClient }
func (m *controllerManager) GetConfig() *RestConfig      { return m.config }

// ---- ray-operator/controllers/ray/utils ----

const RayServeProxyHealthPath = "-/healthz"

type RayHttpProxyClientInterface interface {
	CheckProxyActorHealth(ctx context.Context) error
}

type RayHttpProxyClient struct {
	client       *http.Client
	httpProxyURL string
}

// CheckProxyActorHealth checks the health status of the Ray Serve proxy actor.
func (r *RayHttpProxyClient) CheckProxyActorHealth(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.httpProxyURL+RayServeProxyHealthPath, nil)
	if err != nil {
		return err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return fmt.Errorf("CheckProxyActorHealth fails. status code: %d, status: %s, error reading body: %w", resp.StatusCode, resp.Status, err)
		}
		err = fmt.Errorf("CheckProxyActorHealth fails. status code: %d, status: %s, body: %s", resp.StatusCode, resp.Status, string(body))
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)

	return nil
}

func GetRayHttpProxyClientFunc(mgr Manager, useKubernetesProxy bool) func(hostIp, podNamespace, podName string, port int) RayHttpProxyClientInterface {
	return func(hostIp, podNamespace, podName string, port int) RayHttpProxyClientInterface {
		httpClient := &http.Client{
			Timeout: rayHTTPClientTimeout(useKubernetesProxy),
		}
		httpProxyURL := fmt.Sprintf("http://%s:%d/", hostIp, port)

		if useKubernetesProxy {
			// Use the manager's transport for TLS and API server authentication.
			httpClient.Transport = mgr.GetHTTPClient().Transport
			httpProxyURL = fmt.Sprintf("%s/api/v1/namespaces/%s/pods/%s:%d/proxy/", mgr.GetConfig().Host, podNamespace, podName, port)
		}

		return &RayHttpProxyClient{
			client:       httpClient,
			httpProxyURL: httpProxyURL,
		}
	}
}

const (
	// RayHTTPClientDirectTimeoutSeconds applies to HTTP clients that send requests directly to pod IP or in-cluster Service.
	RayHTTPClientDirectTimeoutSeconds = 2
	// RayHTTPClientProxyTimeoutSeconds applies when requests are proxied through the Kubernetes apiserver.
	RayHTTPClientProxyTimeoutSeconds = 10
)

// rayHTTPClientTimeout returns the request deadline for Ray HTTP clients.
// Traffic proxied through the apiserver requires a longer timeout than direct connections to pods or Services.
func rayHTTPClientTimeout(useKubernetesProxy bool) time.Duration {
	if useKubernetesProxy {
		return RayHTTPClientProxyTimeoutSeconds * time.Second
	}
	return RayHTTPClientDirectTimeoutSeconds * time.Second
}
