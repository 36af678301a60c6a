// Recall case tl-cadvisor-runner
// Source: github.com/google/cadvisor commit 4819f60acf8e18b5dcecf7de78972c852737e7a4 (integration/runner/runner.go)
// Link: https://github.com/google/cadvisor/commit/4819f60acf8e18b5dcecf7de78972c852737e7a4
// Bug: the goroutine running cAdvisor over ssh reports failure on the unbuffered errChan, but PushAndRunTests stops receiving once cAdvisor is healthy or the wait times out, so the sender blocks forever.
// Fix: errChan is created with a buffer of 1.
// Rule: timeoutleak
package runner

import (
	"flag"
	"fmt"
	"net/http"
	"os/exec"
	"path"
	"strconv"
	"time"
)

const cadvisorBinary = "cadvisor"

var (
	port            = flag.Int("port", 8080, "Port on which to ssh to the test hosts")
	cadvisorTimeout = flag.Duration("cadvisor_timeout", 15*time.Second, "Time to wait for cAdvisor to come up on the remote host")
)

func RunSshCommand(cmd string, args ...string) error {
	out, err := exec.Command(cmd, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v failed: %v: %s", cmd, args, err, out)
	}
	return nil
}

func PushAndRunTests(host, testDir string) (result error) {
	// Push binary.
	err := RunSshCommand("scp", "-r", cadvisorBinary, fmt.Sprintf("%s:%s", host, testDir))
	if err != nil {
		return fmt.Errorf("failed to copy binary: %v", err)
	}

	// Start cAdvisor.
	portStr := strconv.Itoa(*port)
	errChan := make(chan error, 1)
	go func() {
		err = RunSshCommand("ssh", host, "--", fmt.Sprintf("sudo %s --port %s --logtostderr &> %s/log.txt", path.Join(testDir, cadvisorBinary), portStr, testDir))
		if err != nil {
			errChan <- fmt.Errorf("error running cAdvisor: %v", err)
		}
	}()
	defer func() {
		err = RunSshCommand("ssh", host, "--", "sudo", "pkill", cadvisorBinary)
		if err != nil {
			fmt.Printf("Failed to cleanup: %v\n", err)
		}
	}()

	// Wait for cAdvisor to come up.
	endTime := time.Now().Add(*cadvisorTimeout)
	done := false
	for endTime.After(time.Now()) && !done {
		select {
		case err := <-errChan:
			// Quit early if there was an error.
			return err
		case <-time.After(500 * time.Millisecond):
			// Stop waiting when cAdvisor is healthy..
			resp, err := http.Get(fmt.Sprintf("http://%s:%s/healthz", host, portStr))
			if err == nil && resp.StatusCode == http.StatusOK {
				done = true
			}
		}
	}
	if !done {
		return fmt.Errorf("timed out waiting for cAdvisor to come up at host %q", host)
	}

	// Run the tests.
	return RunSshCommand("ssh", host, "--", path.Join(testDir, "integration.test"), "--host", host, "--port", portStr)
}
