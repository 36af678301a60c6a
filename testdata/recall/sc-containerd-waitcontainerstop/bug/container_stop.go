// Recall case sc-containerd-waitcontainerstop
// Source: github.com/containerd/containerd commit 1a0228d5207d16a8988aee51f488b4543ab767ab (pkg/server/container_stop.go; originally containerd/cri, history merged into containerd)
// Link: https://github.com/containerd/cri/pull/1099
// Bug: waitContainerStop replaces ctx cancellation with a new errors.Errorf("wait container %q is cancelled"), so stopContainer cannot tell and goes on to SIGKILL the container.
// Fix: the ctx error is wrapped (errors.Wrapf(ctx.Err(), ...); here %w) and stopContainer returns early when the cause is ctx.Err().
// Rule: swallowcancel
package server

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"
)

const killContainerTimeout = 2 * time.Second

// task stands in for the containerd.Task client; Kill is an RPC.
type task struct{ addr, id string }

func (t *task) Kill(ctx context.Context, sig string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.addr+"/tasks/"+t.id+"/kill/"+sig, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type Container struct {
	ID      string
	stopped chan struct{}
}

func (c Container) Stopped() <-chan struct{} { return c.stopped }

type criService struct{}

func (c *criService) stopContainer(ctx context.Context, container Container, task *task, timeout time.Duration) error {
	id := container.ID
	if timeout > 0 {
		err := task.Kill(ctx, "SIGTERM")
		if err != nil {
			return fmt.Errorf("failed to stop container %q: %w", id, err)
		}

		if err = c.waitContainerStop(ctx, container, timeout); err == nil {
			return nil
		}
		log.Printf("An error occurs during waiting for container %q to be stopped: %v", id, err)
	}

	log.Printf("Kill container %q", id)
	if err := task.Kill(ctx, "SIGKILL"); err != nil {
		return fmt.Errorf("failed to kill container %q: %w", id, err)
	}

	// Wait for a fixed timeout until container stop is observed by event monitor.
	if err := c.waitContainerStop(ctx, container, killContainerTimeout); err != nil {
		return fmt.Errorf("an error occurs during waiting for container %q to be killed: %w", id, err)
	}
	return nil
}

// waitContainerStop waits for container to be stopped until timeout exceeds or context is cancelled.
func (c *criService) waitContainerStop(ctx context.Context, container Container, timeout time.Duration) error {
	timeoutTimer := time.NewTimer(timeout)
	defer timeoutTimer.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("wait container %q is cancelled", container.ID)
	case <-timeoutTimer.C:
		return fmt.Errorf("wait container %q stop timeout", container.ID)
	case <-container.Stopped():
		return nil
	}
}
