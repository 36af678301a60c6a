// Recall case cc-cri-teardownpodnetwork
// Source: github.com/containerd/cri commit f3ae4a5c110d1e5dddb217ac25a44c8574b8fdd0 (pkg/server/sandbox_run.go)
// Link: https://github.com/containerd/cri/commit/f3ae4a5c110d1e5dddb217ac25a44c8574b8fdd0
// Bug: RunPodSandbox tears the pod network down in a deferred rollback using the request ctx; when the sandbox creation failed because that ctx was cancelled or timed out, teardownPodNetwork runs the CNI DEL with an already-cancelled ctx and the network is leaked.
// Fix: the deferred teardown uses ctrdutil.DeferContext(), a fresh namespaced context with its own 1-minute cleanup timeout.
// Rule: cleanupctx
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
)

type RunPodSandboxRequest struct {
	Name        string
	Namespace   string
	HostNetwork bool
}

type RunPodSandboxResponse struct {
	PodSandboxId string
}

type Sandbox struct {
	ID        string
	Name      string
	NetNS     *NetNS
	NetNSPath string
}

type criService struct {
	netPlugin        *cniPlugin
	client           *containerdClient
	sandboxNameIndex *nameIndex
}

// RunPodSandbox creates and starts a pod-level sandbox. Runtimes should ensure
// the sandbox is in ready state.
func (c *criService) RunPodSandbox(ctx context.Context, r *RunPodSandboxRequest) (_ *RunPodSandboxResponse, retErr error) {
	if r.Name == "" {
		return nil, errors.New("sandbox config must include metadata")
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	name := r.Namespace + "_" + r.Name

	// Reserve the sandbox name to avoid concurrent RunPodSandbox request starting the
	// same sandbox.
	if err := c.sandboxNameIndex.Reserve(name, id); err != nil {
		return nil, fmt.Errorf("failed to reserve sandbox name %q: %w", name, err)
	}
	defer func() {
		// Release the name if the function returns with an error.
		if retErr != nil {
			c.sandboxNameIndex.ReleaseByName(name)
		}
	}()

	sandbox := &Sandbox{ID: id, Name: name}

	if !r.HostNetwork {
		var err error
		sandbox.NetNS, err = NewNetNS()
		if err != nil {
			return nil, fmt.Errorf("failed to create network namespace for sandbox %q: %w", id, err)
		}
		sandbox.NetNSPath = sandbox.NetNS.GetPath()
		defer func() {
			if retErr != nil {
				// Teardown network if an error is returned.
				if err := c.teardownPodNetwork(ctx, sandbox); err != nil {
					log.Printf("Failed to destroy network for sandbox %q: %v", id, err)
				}

				if err := sandbox.NetNS.Remove(); err != nil {
					log.Printf("Failed to remove network namespace %s for sandbox %q: %v", sandbox.NetNSPath, id, err)
				}
				sandbox.NetNSPath = ""
			}
		}()

		// Setup network for sandbox.
		if err := c.setupPodNetwork(ctx, sandbox); err != nil {
			return nil, fmt.Errorf("failed to setup network for sandbox %q: %w", id, err)
		}
	}

	if err := c.client.NewContainer(ctx, id); err != nil {
		return nil, fmt.Errorf("failed to create containerd container: %w", err)
	}
	defer func() {
		if retErr != nil {
			deferCtx, deferCancel := DeferContext()
			defer deferCancel()
			if err := c.client.DeleteContainer(deferCtx, id); err != nil {
				log.Printf("Failed to delete containerd container %q: %v", id, err)
			}
		}
	}()

	return &RunPodSandboxResponse{PodSandboxId: id}, nil
}

// setupPodNetwork setups up the network for a pod
func (c *criService) setupPodNetwork(ctx context.Context, sandbox *Sandbox) error {
	if c.netPlugin == nil {
		return errors.New("cni config not initialized")
	}
	return c.netPlugin.Setup(ctx, sandbox.ID, sandbox.NetNSPath)
}

// teardownPodNetwork removes the network from the pod
func (c *criService) teardownPodNetwork(ctx context.Context, sandbox *Sandbox) error {
	if c.netPlugin == nil {
		return errors.New("cni config not initialized")
	}
	return c.netPlugin.Remove(ctx, sandbox.ID, sandbox.NetNSPath)
}
