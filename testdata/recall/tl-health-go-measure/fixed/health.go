// Recall case tl-health-go-measure
// Source: github.com/hellofresh/health-go commit 67b61702d81cada97e04c0b41d79115d8df57fde (health.go)
// Link: https://github.com/hellofresh/health-go/commit/67b61702d81cada97e04c0b41d79115d8df57fde
// Bug: Measure runs each check in a goroutine that sends its result on the unbuffered resCh, but the receiver select returns early on the per-check timeout, so a slow check's goroutine blocks forever on the send (one leaked goroutine per timed-out check per Measure call).
// Fix: resCh is created with a buffer of 1 (make(chan error, 1)) so the sender can always complete.
// Rule: timeoutleak
package health

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Status type represents health status
type Status string

// Possible health statuses
const (
	StatusOK                 Status = "OK"
	StatusPartiallyAvailable Status = "Partially Available"
	StatusUnavailable        Status = "Unavailable"
	StatusTimeout            Status = "Timeout during health check"
)

// CheckFunc is the func which executes the check.
type CheckFunc func(context.Context) error

// Config carries the parameters to run the check.
type Config struct {
	Name      string
	Timeout   time.Duration
	SkipOnErr bool
	Check     CheckFunc
}

// Check represents the health check response.
type Check struct {
	Status    Status            `json:"status"`
	Timestamp time.Time         `json:"timestamp"`
	Failures  map[string]string `json:"failures,omitempty"`
}

// Health is the health-checks container
type Health struct {
	mu            sync.Mutex
	checks        map[string]Config
	maxConcurrent int
}

// New instantiates and build new health check container
func New() *Health {
	return &Health{checks: make(map[string]Config), maxConcurrent: 4}
}

// Register registers a check config to be performed.
func (h *Health) Register(c Config) error {
	if c.Timeout == 0 {
		c.Timeout = time.Second * 2
	}
	if c.Name == "" {
		return errors.New("health check must have a name to be registered")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.checks[c.Name]; ok {
		return fmt.Errorf("health check %q is already registered", c.Name)
	}
	h.checks[c.Name] = c
	return nil
}

// NewHTTPCheck creates a check that GETs the given URL (stand-in for checks/http).
func NewHTTPCheck(url string) CheckFunc {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("creating the request for the health check failed: %w", err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("making the request for the health check failed: %w", err)
		}
		defer res.Body.Close()
		if res.StatusCode >= http.StatusInternalServerError {
			return errors.New("remote service is not available at the moment")
		}
		return nil
	}
}

// Measure runs all the registered health checks and returns summary status
func (h *Health) Measure(ctx context.Context) Check {
	h.mu.Lock()
	defer h.mu.Unlock()

	status := StatusOK
	failures := make(map[string]string)

	limiterCh := make(chan bool, h.maxConcurrent)
	defer close(limiterCh)

	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for _, c := range h.checks {
		limiterCh <- true
		wg.Add(1)

		go func(c Config) {
			defer func() {
				<-limiterCh
				wg.Done()
			}()

			resCh := make(chan error, 1)

			go func() {
				resCh <- c.Check(ctx)
				defer close(resCh)
			}()

			timeout := time.NewTimer(c.Timeout)

			select {
			case <-timeout.C:
				mu.Lock()
				defer mu.Unlock()

				failures[c.Name] = string(StatusTimeout)
				status = getAvailability(status, c.SkipOnErr)
			case res := <-resCh:
				if !timeout.Stop() {
					<-timeout.C
				}

				mu.Lock()
				defer mu.Unlock()

				if res != nil {
					failures[c.Name] = res.Error()
					status = getAvailability(status, c.SkipOnErr)
				}
			}
		}(c)
	}

	wg.Wait()

	return Check{Status: status, Timestamp: time.Now(), Failures: failures}
}

func getAvailability(s Status, skipOnErr bool) Status {
	if skipOnErr && s != StatusUnavailable {
		return StatusPartiallyAvailable
	}

	return StatusUnavailable
}
