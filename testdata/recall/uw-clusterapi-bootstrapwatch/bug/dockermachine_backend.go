// Recall case uw-clusterapi-bootstrapwatch
// Source: github.com/kubernetes-sigs/cluster-api commit 0e46697791f4edeb149f19e35f5722fc1a351edf (test/infrastructure/docker/internal/controllers/backends/docker/dockermachine_backend.go)
// Link: https://github.com/kubernetes-sigs/cluster-api/commit/0e46697791f4edeb149f19e35f5722fc1a351edf
// Bug: The goroutine that watches for machine deletion during bootstrap polls with `select { case <-timeoutCtx.Done(): ... default: ...; time.Sleep(5 * time.Second) }`, so after timeoutCtx is cancelled it stays blocked in the sleep instead of returning.
// Fix: Replace the default branch + time.Sleep with a time.Ticker case in the select, so the goroutine waits on timeoutCtx.Done() and the tick together.
// Rule: uncancellablewait
package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"time"
)

// DockerMachine is a minimal stand-in for infrav1.DockerMachine.
type DockerMachine struct {
	Namespace         string     `json:"namespace"`
	Name              string     `json:"name"`
	DeletionTimestamp *time.Time `json:"deletionTimestamp,omitempty"`
	Bootstrapped      bool       `json:"bootstrapped"`
	BootstrapTimeout  time.Duration
}

// Client stands in for the controller-runtime client: Get reads the object
// from the API server with the given ctx.
type Client struct {
	APIServer  string
	HTTPClient *http.Client
}

func (c *Client) Get(ctx context.Context, namespace, name string, obj *DockerMachine) error {
	u := fmt.Sprintf("%s/apis/infrastructure.cluster.x-k8s.io/v1beta2/namespaces/%s/dockermachines/%s", c.APIServer, namespace, name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get dockermachine: %s", resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(obj)
}

// Machine stands in for docker.Machine (the container backing the DockerMachine).
type Machine struct {
	ContainerName string
}

// ExecBootstrap runs the bootstrap script inside the container. Simulates cloud-init.
func (m *Machine) ExecBootstrap(ctx context.Context, bootstrapData string) error {
	cmd := exec.CommandContext(ctx, "docker", "exec", m.ContainerName, "sh", "-c", bootstrapData)
	return cmd.Run()
}

// MachineBackendReconciler reconciles DockerMachine backends.
type MachineBackendReconciler struct {
	Client *Client
}

// ReconcileNormal handles the bootstrap part of a DockerMachine reconcile.
func (r *MachineBackendReconciler) ReconcileNormal(ctx context.Context, dockerMachine *DockerMachine, externalMachine *Machine, bootstrapData string) error {
	// if the machine isn't bootstrapped, only then run bootstrap scripts
	if !dockerMachine.Bootstrapped {
		bootstrapTimeout := dockerMachine.BootstrapTimeout
		if bootstrapTimeout == 0 {
			bootstrapTimeout = 3 * time.Minute
		}
		timeoutCtx, cancel := context.WithTimeout(ctx, bootstrapTimeout)
		defer cancel()

		// Setup a go routing to check for the machine being deleted while running bootstrap as a
		// synchronous process, e.g. due to remediation. The routine stops when timeoutCtx is Done
		// (either because canceled intentionally due to machine deletion or canceled by the defer cancel()
		// call when exiting from this func).
		go func() {
			for {
				select {
				case <-timeoutCtx.Done():
					return
				default:
					updatedDockerMachine := &DockerMachine{}
					if err := r.Client.Get(ctx, dockerMachine.Namespace, dockerMachine.Name, updatedDockerMachine); err == nil &&
						updatedDockerMachine.DeletionTimestamp != nil {
						cancel()
						return
					}
					time.Sleep(5 * time.Second)
				}
			}
		}()

		// Run the bootstrap script. Simulates cloud-init/Ignition.
		if err := externalMachine.ExecBootstrap(timeoutCtx, bootstrapData); err != nil {
			return fmt.Errorf("failed to exec DockerMachine bootstrap: %w", err)
		}
		dockerMachine.Bootstrapped = true
	}
	return nil
}
