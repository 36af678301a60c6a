// Recall case sd-kata-containers-clh-startvm
// Source: github.com/kata-containers/kata-containers commit ac64b021a6817296ea8240755abcff22fa9a1b80 (src/runtime/virtcontainers/clh.go)
// Link: https://github.com/kata-containers/kata-containers/commit/ac64b021a6817296ea8240755abcff22fa9a1b80
// Bug: StartVM(ctx, ...) replaces the caller's ctx with context.WithTimeout(context.Background(), apiTimeout), so the whole start sequence (virtiofsd, launch, boot API calls) runs on a fresh budget that ignores the caller's deadline and cancellation.
// Fix: The API-timeout context is derived from the caller's ctx (context.WithTimeout(ctx, ...)) and created just before bootVM.
// Rule: sharedeadline
package virtcontainers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

const (
	clhAPITimeout                  = 1
	clhAPITimeoutConfidentialGuest = 10
	clhReady                       = "ready"
)

type HypervisorConfig struct {
	ConfidentialGuest bool
	HypervisorPath    string
	VMStorePath       string
	VirtiofsdPath     string
}

type clhState struct {
	PID               int
	VirtiofsDaemonPid int
	apiSocket         string
	state             string
}

// chClient stands in for the generated cloud-hypervisor OpenAPI client (HTTP over the API socket).
type chClient struct {
	base string
	http *http.Client
}

func (c *chClient) put(ctx context.Context, path string, body any) error {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.base+path, &buf)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	return nil
}

func (c *chClient) CreateVM(ctx context.Context, cfg any) error {
	return c.put(ctx, "/api/v1/vm.create", cfg)
}
func (c *chClient) BootVM(ctx context.Context) error { return c.put(ctx, "/api/v1/vm.boot", nil) }

type cloudHypervisor struct {
	id       string
	config   HypervisorConfig
	state    clhState
	vmconfig map[string]any
	api      *chClient
	virtiofs *exec.Cmd
}

func (clh *cloudHypervisor) getClhAPITimeout() time.Duration {
	// Increase the APITimeout when dealing with a Confidential Guest.
	if clh.config.ConfidentialGuest {
		return clhAPITimeoutConfidentialGuest
	}
	return clhAPITimeout
}

func (clh *cloudHypervisor) setupVirtiofsDaemon(ctx context.Context) error {
	if clh.config.VirtiofsdPath == "" {
		return errors.New("Missing virtiofsDaemon configuration")
	}
	cmd := exec.CommandContext(ctx, clh.config.VirtiofsdPath, "--socket-path", filepath.Join(clh.config.VMStorePath, clh.id, "vfsd.sock"))
	if err := cmd.Start(); err != nil {
		return err
	}
	clh.virtiofs = cmd
	clh.state.VirtiofsDaemonPid = cmd.Process.Pid
	return nil
}

func (clh *cloudHypervisor) stopVirtiofsDaemon(ctx context.Context) error {
	if clh.virtiofs == nil || clh.virtiofs.Process == nil {
		return nil
	}
	return clh.virtiofs.Process.Kill()
}

func (clh *cloudHypervisor) launchClh() (int, error) {
	cmdHypervisor := exec.Command(clh.config.HypervisorPath, "--api-socket", clh.state.apiSocket)
	if err := cmdHypervisor.Start(); err != nil {
		return -1, err
	}
	return cmdHypervisor.Process.Pid, nil
}

func (clh *cloudHypervisor) bootVM(ctx context.Context) error {
	if err := clh.api.CreateVM(ctx, clh.vmconfig); err != nil {
		return err
	}
	// (upstream also checks the VM state via vmInfo() here; omitted)
	if err := clh.api.BootVM(ctx); err != nil {
		return err
	}
	return nil
}

// StartVM will start the VMM and boot the virtual machine for the given sandbox.
func (clh *cloudHypervisor) StartVM(ctx context.Context, timeout int) error {
	vmPath := filepath.Join(clh.config.VMStorePath, clh.id)
	err := os.MkdirAll(vmPath, 0o750)
	if err != nil {
		return err
	}

	err = clh.setupVirtiofsDaemon(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			if shutdownErr := clh.stopVirtiofsDaemon(ctx); shutdownErr != nil {
				fmt.Fprintln(os.Stderr, "error shutting down VirtiofsDaemon:", shutdownErr)
			}
		}
	}()

	pid, err := clh.launchClh()
	if err != nil {
		return fmt.Errorf("failed to launch cloud-hypervisor: %q", err)
	}
	clh.state.PID = pid

	ctx, cancel := context.WithTimeout(ctx, clh.getClhAPITimeout()*time.Second)
	defer cancel()

	if err := clh.bootVM(ctx); err != nil {
		return err
	}

	clh.state.state = clhReady
	return nil
}
