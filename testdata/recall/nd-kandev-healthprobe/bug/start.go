// Recall case nd-kandev-healthprobe
// Source: github.com/kdlbs/kandev commit ec297626cd480980ab6d57e3914ddeccc00abba8 (apps/backend/internal/launcher/health.go)
// Link: https://github.com/kdlbs/kandev/commit/ec297626cd480980ab6d57e3914ddeccc00abba8
// Bug: waitForHealth probes the backend with http.Get (http.DefaultClient, no timeout, no context), so a backend that accepts the TCP connection but never answers blocks the launcher forever and the overall health deadline never fires.
// Fix: The probe uses a package-level http.Client with a 2s Timeout and http.NewRequestWithContext with a ctx threaded from Run and bounded by context.WithTimeout.
// Rule: nodeadline
package launcher

import (
	"fmt"
	"os"
	"os/exec"
)

const healthTimeoutReleaseMS = 45000

var waitForHealthFn = waitForHealth

type managedAppConfig struct {
	Backend    string
	BackendURL string
}

type backendProc struct{ cmd *exec.Cmd }

func (b *backendProc) Exited() (bool, int) {
	if b.cmd.ProcessState == nil {
		return false, 0
	}
	return true, b.cmd.ProcessState.ExitCode()
}

// Run is the launcher entry point.
func Run(args []string) int {
	if len(args) < 2 {
		return 2
	}
	return runManagedApp(managedAppConfig{Backend: args[0], BackendURL: args[1]})
}

func runManagedApp(cfg managedAppConfig) int {
	cmd := exec.Command(cfg.Backend)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "[kandev] "+err.Error())
		return 1
	}
	backend := &backendProc{cmd: cmd}
	go func() { _ = cmd.Wait() }()
	fmt.Println("[kandev] starting backend...")
	dumpLogs := func() { fmt.Fprintln(os.Stderr, "[kandev] backend failed") }
	if err := waitForHealthFn(cfg.BackendURL, backend, healthTimeout(healthTimeoutReleaseMS), dumpLogs); err != nil {
		_ = cmd.Process.Kill()
		fmt.Fprintln(os.Stderr, "[kandev] "+err.Error())
		return 1
	}
	return 0
}
