// Recall case cc-argo-emissarykill
// Source: github.com/argoproj/argo-workflows commit b519c9054e66b2f0a25eec06709717bd1362f72e (workflow/executor/emissary/emissary.go)
// Link: https://github.com/argoproj/argo-workflows/pull/15352
// Bug: Kill waits for the containers under ctx bounded by the termination grace period, and after sending SIGKILL it waits again with that same ctx, which has already expired, so the final Wait returns immediately with the context error instead of waiting for the killed containers to exit (and a grace-period DeadlineExceeded was returned as a failure without ever sending SIGKILL).
// Fix: DeadlineExceeded is treated like Canceled, and the post-SIGKILL Wait runs under a fresh context.WithTimeout(context.Background(), 10*time.Second).
// Rule: cleanupctx
package emissary

import (
	"context"
	"errors"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// VarRunArgoPath is common.VarRunArgoPath upstream.
const VarRunArgoPath = "/var/run/argo"

// ContainerRuntimeExecutor is the subset of executor.ContainerRuntimeExecutor used here.
type ContainerRuntimeExecutor interface {
	Wait(ctx context.Context, containerNames []string) error
	Kill(ctx context.Context, containerNames []string, terminationGracePeriodDuration time.Duration) error
}

type emissary struct{}

func New() (ContainerRuntimeExecutor, error) {
	return &emissary{}, nil
}

func (e emissary) Wait(ctx context.Context, containerNames []string) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
			if e.isComplete(containerNames) {
				return nil
			}
			time.Sleep(time.Second)
		}
	}
}

func (e emissary) isComplete(containerNames []string) bool {
	for _, containerName := range containerNames {
		_, err := os.Stat(filepath.Join(VarRunArgoPath, "ctr", containerName, "exitcode"))
		if os.IsNotExist(err) {
			return false
		}
	}
	return true
}

func (e emissary) Kill(ctx context.Context, containerNames []string, terminationGracePeriodDuration time.Duration) error {
	log.Printf("emissary: killing containers %v (grace %v)", containerNames, terminationGracePeriodDuration)
	for _, containerName := range containerNames {
		// allow write-access by other users, because other containers
		// should delete the signal after receiving it
		signalPath := filepath.Join(VarRunArgoPath, "ctr", containerName, "signal")
		signalDir := filepath.Dir(signalPath)
		if err := os.MkdirAll(signalDir, 0o777); err != nil {
			log.Printf("failed to create signal directory %s: %v", signalDir, err)
			return err
		}
		if err := os.WriteFile(signalPath, []byte(strconv.Itoa(int(syscall.SIGTERM))), 0o666); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, terminationGracePeriodDuration)
	defer cancel()
	err := e.Wait(ctx, containerNames)
	if err == nil {
		return nil
	}
	if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	for _, containerName := range containerNames {
		// allow write-access by other users, because other containers
		// should delete the signal after receiving it
		signalPath := filepath.Join(VarRunArgoPath, "ctr", containerName, "signal")
		log.Printf("Sending SIGKILL to container %s", containerName)
		if err := os.WriteFile(signalPath, []byte(strconv.Itoa(int(syscall.SIGKILL))), 0o666); err != nil {
			return err
		}
	}
	// Old context has expired here
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	//nolint:contextcheck
	return e.Wait(ctx, containerNames)
}

// WorkflowExecutor is the caller (workflow/executor/executor.go).
type WorkflowExecutor struct {
	RuntimeExecutor ContainerRuntimeExecutor
}

func GetTerminationGracePeriodDuration() time.Duration {
	return 30 * time.Second
}

func (we *WorkflowExecutor) killContainers(ctx context.Context, containerNames []string) {
	log.Printf("Killing containers %v", containerNames)
	terminationGracePeriodDuration := GetTerminationGracePeriodDuration()
	if err := we.RuntimeExecutor.Kill(ctx, containerNames, terminationGracePeriodDuration); err != nil {
		log.Printf("Failed to kill %v: %v", containerNames, err)
	}
}
