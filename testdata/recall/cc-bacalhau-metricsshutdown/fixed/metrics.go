// Recall case cc-bacalhau-metricsshutdown
// Source: github.com/bacalhau-project/bacalhau commit 3cc5bb68a228c45f579d9c0a41513dc5682677f9 (pkg/system/metrics.go)
// Link: https://github.com/bacalhau-project/bacalhau/commit/3cc5bb68a228c45f579d9c0a41513dc5682677f9
// Bug: ListenAndServeMetrics registers a cleanup callback that calls srv.Shutdown(ctx) with the ctx passed at start-up; by the time CleanupManager.Cleanup runs (deferred in serve, after cancel() has run) that ctx is already cancelled, so Shutdown returns immediately without draining the server.
// Fix: the cleanup callback calls srv.Shutdown(context.Background()) instead of reusing the start-up ctx.
// Rule: cleanupctx
package system

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"time"
)

const ServerReadHeaderTimeout = 10 * time.Second

// CleanupManager provides utilities for ensuring that sub-goroutines can
// clean up their resources before the main goroutine exits.
type CleanupManager struct {
	wg sync.WaitGroup

	fnsMutex sync.Mutex
	fns      []func() error
	fnsDone  bool
}

// NewCleanupManager returns a new CleanupManager instance.
func NewCleanupManager() *CleanupManager {
	return &CleanupManager{}
}

// RegisterCallback registers a clean-up function.
func (cm *CleanupManager) RegisterCallback(fn func() error) {
	cm.fnsMutex.Lock()
	defer cm.fnsMutex.Unlock()

	if cm.fnsDone {
		log.Print("CleanupManager: RegisterCallback called after Cleanup")
		return
	}

	cm.wg.Add(1)
	cm.fns = append(cm.fns, fn)
}

// Cleanup runs all registered clean-up functions in sub-goroutines and
// waits for them all to complete before exiting.
func (cm *CleanupManager) Cleanup() {
	cm.fnsMutex.Lock()
	defer cm.fnsMutex.Unlock()

	for i := 0; i < len(cm.fns); i++ {
		go func(fn func() error) {
			defer cm.wg.Done()

			if err := fn(); err != nil {
				if err.Error() != "context canceled" {
					log.Printf("Error during clean-up callback: %v", err)
				}
			}
		}(cm.fns[i])
	}

	cm.wg.Wait()
	cm.fnsDone = true
}

// ListenAndServeMetrics serves prometheus metrics on the specified port.
func ListenAndServeMetrics(ctx context.Context, cm *CleanupManager, port int) error {
	sm := http.NewServeMux()
	sm.Handle("/metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "# metrics")
	}))

	srv := http.Server{
		Addr:              fmt.Sprintf(":%d", port),
		Handler:           sm,
		ReadHeaderTimeout: ServerReadHeaderTimeout,
	}

	cm.RegisterCallback(func() error {
		// We have to use a separate context, rather than the one passed in, as it may have already been
		// canceled and so would prevent us from performing any cleanup work.
		return srv.Shutdown(context.Background())
	})

	log.Printf("Starting metrics server on port %d...", port)
	if err := srv.ListenAndServe(); err != nil {
		if err == http.ErrServerClosed {
			log.Print("Metrics server stopped.")
		} else {
			return fmt.Errorf("metrics server failed to ListenAndServe: %w", err)
		}
	}

	return nil
}

// Serve mirrors the `bacalhau serve` command: the cleanup manager is deferred
// first, then the signal context and its cancel, so cancel() runs before
// cm.Cleanup().
func Serve(parent context.Context, metricsPort int) error {
	// Cleanup manager ensures that resources are freed before exiting:
	cm := NewCleanupManager()
	defer cm.Cleanup()

	// Context ensures main goroutine waits until killed with ctrl+c:
	ctx, cancel := signal.NotifyContext(parent, os.Interrupt)
	defer cancel()

	go func(ctx context.Context) {
		if err := ListenAndServeMetrics(ctx, cm, metricsPort); err != nil {
			log.Printf("Cannot serve metrics: %v", err)
		}
	}(ctx)

	<-ctx.Done() // block until killed
	return nil
}
