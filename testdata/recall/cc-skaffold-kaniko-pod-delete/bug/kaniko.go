// Recall case cc-skaffold-kaniko-pod-delete
// Source: github.com/GoogleContainerTools/skaffold commit c1bcc310889278a0dd82d5b82dd0c2be08766190 (pkg/skaffold/build/cluster/kaniko.go)
// Link: https://github.com/GoogleContainerTools/skaffold/commit/c1bcc310889278a0dd82d5b82dd0c2be08766190
// Bug: The deferred kaniko pod deletion reuses the build ctx; when the build is interrupted (Ctrl+C) that ctx is already cancelled, so pods.Delete fails immediately and the pod is leaked in the cluster.
// Fix: The deferred cleanup creates a fresh context.WithTimeout(context.Background(), 3*time.Second) for pods.Delete.
// Rule: cleanupctx
package cluster

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os/exec"
	"time"
)

const initContainer = "kaniko-init-container"

type Builder struct {
	Namespace string
	APIServer string
	timeout   time.Duration
}

func (b *Builder) buildWithKaniko(ctx context.Context, out io.Writer, workspace string, artifactName string, tag string) (string, error) {
	pods := &restPods{hc: http.DefaultClient, apiServer: b.APIServer, namespace: b.Namespace}

	podSpec := &Pod{Name: "kaniko-" + artifactName}

	pod, err := pods.Create(ctx, podSpec)

	if err != nil {
		return "", fmt.Errorf("creating kaniko pod: %w", err)
	}

	defer func() {
		if err := pods.Delete(ctx, pod.Name, DeleteOptions{
			GracePeriodSeconds: new(int64),
		}); err != nil {
			log.Printf("deleting pod: %s", err)
		}
	}()

	if err := b.setupKanikoBuildContext(ctx, workspace, artifactName, pods, pod.Name); err != nil {
		return "", fmt.Errorf("copying sources: %w", err)
	}

	if err := waitForPodSucceeded(ctx, pods, pod.Name, b.timeout); err != nil {
		return "", err
	}

	fmt.Fprintf(out, "built %s\n", tag)
	return tag, nil
}

// setupKanikoBuildContext uploads the build context into the init container via kubectl exec.
func (b *Builder) setupKanikoBuildContext(ctx context.Context, workspace string, artifactName string, pods PodInterface, podName string) error {
	tarCmd := exec.CommandContext(ctx, "tar", "-C", workspace, "-cf", "-", ".")
	kubectl := exec.CommandContext(ctx, "kubectl", "exec", "-i", podName, "-c", initContainer, "-n", b.Namespace, "--", "tar", "-xf", "-", "-C", "/kaniko/buildcontext")
	stdout, err := tarCmd.StdoutPipe()
	if err != nil {
		return err
	}
	kubectl.Stdin = stdout
	if err := tarCmd.Start(); err != nil {
		return err
	}
	if err := kubectl.Run(); err != nil {
		return fmt.Errorf("uploading build context: %w", err)
	}
	if err := tarCmd.Wait(); err != nil {
		return err
	}
	return exec.CommandContext(ctx, "kubectl", "exec", podName, "-c", initContainer, "-n", b.Namespace, "--", "touch", "/tmp/complete").Run()
}

// waitForPodSucceeded polls the pod until it succeeds, fails, or ctx/timeout ends.
func waitForPodSucceeded(ctx context.Context, pods PodInterface, podName string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		p, err := pods.Get(ctx, podName)
		if err == nil {
			switch p.Status.Phase {
			case "Succeeded":
				return nil
			case "Failed":
				return fmt.Errorf("pod %s failed", podName)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}
