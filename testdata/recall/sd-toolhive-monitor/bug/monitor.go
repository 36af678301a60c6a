// Recall case sd-toolhive-monitor
// Source: github.com/stacklok/toolhive commit ccf6f3daff64d1d674ee96beb6a7847d63a71b30 (pkg/container/docker/monitor.go)
// Link: https://github.com/stacklok/toolhive/commit/ccf6f3daff64d1d674ee96beb6a7847d63a71b30
// Bug: the monitor goroutine receives ctx but each periodic Docker check builds its own budget with context.WithTimeout(context.Background(), 5*time.Second), so cancelling the caller's ctx does not abort an in-flight runtime call.
// Fix: the per-check timeouts are derived from the monitor's ctx (context.WithTimeout(ctx, 5*time.Second)).
// Rule: sharedeadline
package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

var (
	ErrContainerNotFound   = errors.New("container not found")
	ErrContainerNotRunning = errors.New("container not running")
	ErrContainerExited     = errors.New("container exited unexpectedly")
	ErrContainerRemoved    = errors.New("container removed")
)

// ContainerInfo is a reduced stand-in for runtime.ContainerInfo.
type ContainerInfo struct {
	Status    string    `json:"Status"`
	StartedAt time.Time `json:"StartedAt"`
	Running   bool      `json:"Running"`
}

// Runtime is a reduced stand-in for runtime.Runtime.
type Runtime interface {
	IsWorkloadRunning(ctx context.Context, name string) (bool, error)
	GetWorkloadInfo(ctx context.Context, name string) (ContainerInfo, error)
	GetWorkloadLogs(ctx context.Context, name string, follow bool) (string, error)
}

// Client talks to the Docker Engine API over HTTP.
type Client struct {
	httpClient *http.Client
	baseURL    string
}

func (c *Client) GetWorkloadInfo(ctx context.Context, name string) (ContainerInfo, error) {
	var info ContainerInfo
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+"/containers/"+name+"/json", nil)
	if err != nil {
		return info, err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return info, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return info, ErrContainerNotFound
	}
	err = json.NewDecoder(resp.Body).Decode(&info)
	return info, err
}

func (c *Client) IsWorkloadRunning(ctx context.Context, name string) (bool, error) {
	info, err := c.GetWorkloadInfo(ctx, name)
	if err != nil {
		return false, err
	}
	return info.Running, nil
}

func (c *Client) GetWorkloadLogs(ctx context.Context, name string, follow bool) (string, error) {
	url := fmt.Sprintf("%s/containers/%s/logs?stdout=1&stderr=1&follow=%t", c.baseURL, name, follow)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// ContainerMonitor watches a container's state and reports when it exits
type ContainerMonitor struct {
	runtime          Runtime
	containerName    string
	stopCh           chan struct{}
	errorCh          chan error
	wg               sync.WaitGroup
	running          bool
	mutex            sync.Mutex
	initialStartTime time.Time // Track container start time to detect restarts
}

// NewMonitor creates a new container monitor
func NewMonitor(rt Runtime, containerName string) *ContainerMonitor {
	return &ContainerMonitor{
		runtime:       rt,
		containerName: containerName,
		stopCh:        make(chan struct{}),
		errorCh:       make(chan error, 1), // Buffered to prevent blocking
	}
}

// StartMonitoring starts monitoring the container
func (m *ContainerMonitor) StartMonitoring(ctx context.Context) (<-chan error, error) {
	m.mutex.Lock()
	defer m.mutex.Unlock()

	if m.running {
		return m.errorCh, nil // Already monitoring
	}

	running, err := m.runtime.IsWorkloadRunning(ctx, m.containerName)
	if err != nil {
		return nil, err
	}
	if !running {
		return nil, fmt.Errorf("%s: %w", m.containerName, ErrContainerNotRunning)
	}

	info, err := m.runtime.GetWorkloadInfo(ctx, m.containerName)
	if err != nil {
		return nil, fmt.Errorf("failed to get container info: %w", err)
	}
	m.initialStartTime = info.StartedAt

	m.running = true
	m.wg.Add(1)

	// Start monitoring in a goroutine
	go m.monitor(ctx)

	return m.errorCh, nil
}

// StopMonitoring stops monitoring the container
func (m *ContainerMonitor) StopMonitoring() {
	m.mutex.Lock()
	defer m.mutex.Unlock()

	if !m.running {
		return
	}

	close(m.stopCh)
	m.wg.Wait()
	m.running = false
}

// monitor checks the container status periodically
func (m *ContainerMonitor) monitor(ctx context.Context) {
	defer m.wg.Done()

	checkInterval := 5 * time.Second

	ticker := time.NewTicker(checkInterval)
	defer ticker.Stop()

	for {
		select {
		case <-ctx.Done():
			return
		case <-m.stopCh:
			return
		case <-ticker.C:
			// Check if the container is still running
			// Create a short timeout context for this check
			checkCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			running, err := m.runtime.IsWorkloadRunning(checkCtx, m.containerName)
			cancel() // Always cancel the context to avoid leaks
			if err != nil {
				if errors.Is(err, ErrContainerNotFound) {
					m.errorCh <- fmt.Errorf("%s: %w", m.containerName, ErrContainerRemoved)
					return
				}
				continue
			}

			if !running {
				// Container has exited, get logs and info
				infoCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				logs, _ := m.runtime.GetWorkloadLogs(infoCtx, m.containerName, false)
				info, _ := m.runtime.GetWorkloadInfo(infoCtx, m.containerName)
				cancel()

				m.errorCh <- fmt.Errorf("%s: status %s, last logs:\n%s: %w",
					m.containerName, info.Status, logs, ErrContainerExited)
				return
			}

			// Container is running - check if it was restarted (different start time)
			infoCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			info, err := m.runtime.GetWorkloadInfo(infoCtx, m.containerName)
			cancel()
			if err == nil && !info.StartedAt.IsZero() && !info.StartedAt.Equal(m.initialStartTime) {
				m.errorCh <- fmt.Errorf("%s was restarted: %w", m.containerName, ErrContainerExited)
				return
			}
		}
	}
}
