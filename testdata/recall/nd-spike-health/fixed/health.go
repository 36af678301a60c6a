// Recall case nd-spike-health
// Source: github.com/sipb/spike commit 4bfff9d79ac64b6547e7c0d5a483d974864f3408 (health/health.go)
// Link: https://github.com/sipb/spike/commit/4bfff9d79ac64b6547e7c0d5a483d974864f3408
// Bug: the periodic health checker calls http.Get (default client, no timeout), so an unresponsive backend blocks the checker goroutine indefinitely and the backend is never marked down.
// Fix: use an http.Client with a 3-second Timeout and treat a request error/timeout as unhealthy.
// Rule: nodeadline
package health

import (
	"io"
	"net/http"
	"strings"
	"time"
)

// Check runs asynchronous health checking.  The updates channel
// receives updates on the health state of the backend.  Write to the
// quit channel to kill the health checker.
func Check(
	healthService string,
	pollDelay time.Duration,
	timeout time.Duration,
	updates chan<- bool,
	quit <-chan struct{},
) {
	go check(healthService, pollDelay, timeout, updates, quit)
}

func check(
	healthService string,
	pollDelay time.Duration,
	timeout time.Duration,
	updates chan<- bool,
	quit <-chan struct{},
) {
	healthy := false
	defer func() {
		if healthy {
			updates <- false
		}
		close(updates)
	}()

	start := time.Now()
	ticker := time.NewTicker(pollDelay)
	defer ticker.Stop()

	for {
		select {
		case <-quit:
			return
		case t := <-ticker.C:
			if health(healthService) {
				start = t
				if !healthy {
					healthy = true
					updates <- true
				}
			}

			if healthy && t.After(start.Add(timeout)) {
				healthy = false
				updates <- false
			}
		}
	}
}

// health checks the given health service
func health(healthService string) bool {
	const timeout = time.Duration(3 * time.Second)

	client := http.Client{
		Timeout: timeout,
	}

	resp, err := client.Get(healthService)
	// Check if timeout or HTTP error
	if resp == nil && err != nil {
		return false
	}

	bytes, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	if strings.Contains(string(bytes), "healthy") {
		return true
	}

	return false
}
