// Recall case nd-rke2-stopetcd
// Source: github.com/rancher/rke2 commit 6d4ae9a6e22df2c4dc56550c466dbfd91b90c820 (pkg/executor/staticpod/staticpod.go)
// Link: https://github.com/rancher/rke2/commit/6d4ae9a6e22df2c4dc56550c466dbfd91b90c820
// Bug: stopEtcd connects to the container runtime and issues ListPodSandbox/RemovePodSandbox RPCs with context.Background(), so an unresponsive runtime hangs shutdown forever.
// Fix: stopEtcd uses context.WithTimeout(context.Background(), 30*time.Second) for the connection and all RPCs.
// Rule: nodeadline
package staticpod

import (
	"context"
	"fmt"
)

type StaticPodConfig struct {
	RuntimeEndpoint string
	ManifestsDir    string
}

// stopEtcd searches the container runtime endpoint for the etcd static pod, and terminates it.
func (s *StaticPodConfig) stopEtcd() error {
	ctx := context.Background()
	conn, err := criConnection(ctx, s.RuntimeEndpoint)
	if err != nil {
		return fmt.Errorf("failed to connect to cri: %w", err)
	}
	cRuntime := newRuntimeServiceClient(conn)
	defer conn.Close()

	filter := &PodSandboxFilter{
		LabelSelector: map[string]string{
			"component":                   "etcd",
			"io.kubernetes.pod.namespace": "kube-system",
			"tier":                        "control-plane",
		},
	}
	resp, err := cRuntime.ListPodSandbox(ctx, &ListPodSandboxRequest{Filter: filter})
	if err != nil {
		return fmt.Errorf("failed to list pods: %w", err)
	}

	for _, pod := range resp.Items {
		if pod.Annotations["kubernetes.io/config.source"] != "file" {
			continue
		}
		if _, err := cRuntime.RemovePodSandbox(ctx, &RemovePodSandboxRequest{PodSandboxId: pod.Id}); err != nil {
			return fmt.Errorf("failed to terminate pod: %w", err)
		}
	}

	return nil
}
