// Recall case sc-constellation-waitforcilium
// Source: github.com/edgelesssys/constellation commit 8e8124345b5817882313c7882f6ed247cb58c64b (bootstrapper/internal/kubernetes/k8sapi/k8sutil.go)
// Link: https://github.com/edgelesssys/constellation/commit/8e8124345b5817882313c7882f6ed247cb58c64b
// Bug: WaitForCilium treats every client.Do error as "pod not healthy yet" and continues the loop, so once ctx is cancelled or its deadline passes the request fails with the context error forever and the function retries endlessly instead of returning.
// Fix: check ctx.Done() at the top of each iteration and return ctx.Err().
// Rule: swallowcancel
package k8sapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// KubernetesUtil provides low level management of the kubernetes cluster.
type KubernetesUtil struct{}

// WaitForCilium waits until Cilium reports a healthy status over its /healthz endpoint.
func (k *KubernetesUtil) WaitForCilium(ctx context.Context, log *slog.Logger) error {
	// wait for cilium pod to be healthy
	client := http.Client{}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
			time.Sleep(5 * time.Second)
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:9879/healthz", http.NoBody)
			if err != nil {
				return fmt.Errorf("unable to create request: %w", err)
			}
			resp, err := client.Do(req)
			if err != nil {
				log.With(slog.Any("error", err)).Info("Waiting for local Cilium DaemonSet - Pod not healthy yet")
				continue
			}
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
	}
}
