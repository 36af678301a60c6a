// Recall case nd-kandev-healthprobe
// Source: github.com/kdlbs/kandev commit ec297626cd480980ab6d57e3914ddeccc00abba8 (apps/backend/internal/launcher/health.go)
// Link: https://github.com/kdlbs/kandev/commit/ec297626cd480980ab6d57e3914ddeccc00abba8
// Bug: waitForHealth probes the backend with http.Get (http.DefaultClient, no timeout, no context), so a backend that accepts the TCP connection but never answers blocks the launcher forever and the overall health deadline never fires.
// Fix: The probe uses a package-level http.Client with a 2s Timeout and http.NewRequestWithContext with a ctx threaded from Run and bounded by context.WithTimeout.
// Rule: nodeadline
package launcher

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"
)

type childState interface {
	Exited() (bool, int)
}

func healthTimeout(defaultMS int) time.Duration {
	raw := os.Getenv("KANDEV_HEALTH_TIMEOUT_MS")
	if raw == "" {
		return time.Duration(defaultMS) * time.Millisecond
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		return time.Duration(defaultMS) * time.Millisecond
	}
	return time.Duration(n) * time.Millisecond
}

func waitForHealth(baseURL string, proc childState, timeout time.Duration, onFailure func()) error {
	deadline := time.Now().Add(timeout)
	healthURL := baseURL + "/health"
	for time.Now().Before(deadline) {
		if exited, code := proc.Exited(); exited {
			if onFailure != nil {
				onFailure()
			}
			return fmt.Errorf("backend exited (code %d) before healthcheck passed", code)
		}
		resp, err := http.Get(healthURL) //nolint:gosec,noctx
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				return nil
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	if onFailure != nil {
		onFailure()
	}
	return fmt.Errorf("backend healthcheck timed out after %s at %s", timeout, healthURL)
}
