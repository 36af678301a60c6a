// Recall case cc-kpt-podevaluator-delete
// Source: github.com/kptdev/kpt commit d74f9931edfffe54f3d193bfae95d5bccb327c80 (porch/func/internal/podevaluator.go)
// Link: https://github.com/kptdev/kpt/commit/d74f9931edfffe54f3d193bfae95d5bccb327c80
// Bug: the deferred cleanup in EvaluateFunction deletes the evaluator pod with the request ctx; when the request is cancelled (e.g. ctrl+C) that ctx is already done, the Delete call fails immediately and the pod is orphaned.
// Fix: the deferred Delete uses context.Background() instead of the request ctx so the deletion completes even after cancellation.
// Rule: cleanupctx
package internal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"
)

// Pod is a reduced corev1.Pod.
type Pod struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Image     string `json:"image"`
	Status    struct {
		Phase string `json:"phase"`
		PodIP string `json:"podIP"`
		Ready bool   `json:"ready"`
	} `json:"status"`
}

// kubeClient is a reduced controller-runtime client.Client.
type kubeClient interface {
	Create(ctx context.Context, pod *Pod) error
	Get(ctx context.Context, pod *Pod) error
	Delete(ctx context.Context, pod *Pod) error
}

// restClient talks to the Kubernetes API server over HTTP.
type restClient struct {
	hc      *http.Client
	apiBase string
}

func (c *restClient) do(ctx context.Context, method, url string, in, out interface{}) error {
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
	resp, err := c.hc.Do(req)
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

func (c *restClient) podURL(pod *Pod) string {
	return fmt.Sprintf("%s/api/v1/namespaces/%s/pods/%s", c.apiBase, pod.Namespace, pod.Name)
}

func (c *restClient) Create(ctx context.Context, pod *Pod) error {
	return c.do(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/namespaces/%s/pods", c.apiBase, pod.Namespace), pod, pod)
}

func (c *restClient) Get(ctx context.Context, pod *Pod) error {
	return c.do(ctx, http.MethodGet, c.podURL(pod), nil, pod)
}

func (c *restClient) Delete(ctx context.Context, pod *Pod) error {
	return c.do(ctx, http.MethodDelete, c.podURL(pod), nil, nil)
}

type EvaluateFunctionRequest struct {
	Image        string `json:"image"`
	ResourceList []byte `json:"resourceList"`
}

type EvaluateFunctionResponse struct {
	ResourceList []byte `json:"resourceList"`
}

type podEvaluator struct {
	// kubeClient is the kubernetes client
	kubeClient kubeClient
	// namespace holds the namespace where the executors run
	namespace string
	hc        *http.Client
}

func NewPodEvaluator(namespace, apiBase string) *podEvaluator {
	hc := &http.Client{Timeout: 60 * time.Second}
	return &podEvaluator{
		kubeClient: &restClient{hc: hc, apiBase: apiBase},
		namespace:  namespace,
		hc:         hc,
	}
}

// pollImmediate is a reduced k8s.io/apimachinery wait.PollImmediate.
func pollImmediate(interval, timeout time.Duration, condition func() (bool, error)) error {
	deadline := time.After(timeout)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		ok, err := condition()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ticker.C:
		case <-deadline:
			return fmt.Errorf("timed out waiting for the condition")
		}
	}
}

func (pe *podEvaluator) EvaluateFunction(ctx context.Context, req *EvaluateFunctionRequest) (*EvaluateFunctionResponse, error) {
	pod := &Pod{
		Namespace: pe.namespace,
		Name:      fmt.Sprintf("krm-fn-%d", time.Now().UnixNano()),
		Image:     req.Image,
	}
	err := pe.kubeClient.Create(ctx, pod)
	if err != nil {
		return nil, err
	}
	log.Printf("created KRM function evaluator pod %v", pod.Name)

	defer func() {
		// TODO: keep the pod around for some time for potential reuse.
		log.Printf("deleting KRM function evaluator pod %v", pod.Name)
		// We don't use ctx here, since we want the deletion to be completed even the context is canceled.
		// If we use ctx here, the pod will be orphaned if we cancel the request (e.g. ctrl+C).
		if err := pe.kubeClient.Delete(context.Background(), pod); err != nil {
			log.Printf("failed to delete KRM function evaluator pod %v: %v", pod.Name, err)
		}
	}()

	// Wait until the pod is Running
	if err = pollImmediate(100*time.Millisecond, 60*time.Second, func() (done bool, err error) {
		err = pe.kubeClient.Get(ctx, pod)
		if err != nil {
			return false, err
		}
		if pod.Status.Phase != "Running" {
			return false, nil
		}
		return pod.Status.Ready, nil
	}); err != nil {
		return nil, fmt.Errorf("error when waiting the pod to be ready: %w", err)
	}

	podIP := pod.Status.PodIP
	if podIP == "" {
		return nil, fmt.Errorf("pod did not have podIP")
	}
	address := fmt.Sprintf("http://%v:%v/evaluate", podIP, 9446)
	log.Printf("dialing pod function runner %q", address)

	// Stand-in for the gRPC EvaluateFunction call on the wrapper server.
	var body bytes.Buffer
	if err := json.NewEncoder(&body).Encode(req); err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, address, &body)
	if err != nil {
		return nil, err
	}
	resp, err := pe.hc.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("failed to call function evaluator on %q for pod %s/%s: %w", address, pod.Namespace, pod.Name, err)
	}
	defer resp.Body.Close()
	out := &EvaluateFunctionResponse{}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return nil, err
	}
	return out, nil
}
