// Recall case cc-influxdb-graceful-shutdown
// Source: github.com/influxdata/influxdb commit 6ed19226814b3e4b4bed5a8de2d93b2ee87d28f5 (cmd/influxd/launcher/cmd.go)
// Link: https://github.com/influxdata/influxdb/commit/6ed19226814b3e4b4bed5a8de2d93b2ee87d28f5
// Bug: cmdRunE waits for <-ctx.Done() on the signal context and then derives the 2s graceful-shutdown context from that same, already cancelled ctx, so Launcher.Shutdown (httpServer.Shutdown, queryController.Shutdown) gets a dead context and aborts immediately
// Fix: keep the signal context in runCtx and derive shutdownCtx from the parent ctx with context.WithTimeout(ctx, 2*time.Second)
// Rule: cleanupctx
package launcher

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Query is a running query owned by the controller.
type Query struct {
	cancel context.CancelFunc
}

func (q *Query) Cancel() { q.cancel() }

// Controller is the reduced query/control.Controller.
type Controller struct {
	queriesMu sync.RWMutex
	queries   map[int]*Query
	shutdown  bool
	wg        sync.WaitGroup
	done      chan struct{}
	abort     chan struct{}
	abortOnce sync.Once
}

// Shutdown cancels the running queries and waits for them to finish or for
// ctx to be done.
func (c *Controller) Shutdown(ctx context.Context) error {
	// Mark that the controller is shutdown so it does not
	// accept new queries.
	c.queriesMu.Lock()
	c.shutdown = true
	if len(c.queries) == 0 {
		c.queriesMu.Unlock()
		return nil
	}
	c.queriesMu.Unlock()

	// Cancel all of the currently active queries.
	c.queriesMu.RLock()
	for _, q := range c.queries {
		q.Cancel()
	}
	c.queriesMu.RUnlock()

	// Wait for query processing goroutines to finish.
	defer c.wg.Wait()

	// Wait for all of the queries to be cleaned up or until the
	// context is done.
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		c.abortOnce.Do(func() {
			close(c.abort)
		})
		return ctx.Err()
	}
}

// Launcher represents the main program execution.
type Launcher struct {
	wg              sync.WaitGroup
	log             *slog.Logger
	httpServer      *http.Server
	queryController *Controller
}

// NewLauncher returns a new instance of Launcher.
func NewLauncher() *Launcher {
	return &Launcher{
		log: slog.Default(),
		queryController: &Controller{
			queries: make(map[int]*Query),
			done:    make(chan struct{}),
			abort:   make(chan struct{}),
		},
	}
}

// run starts the HTTP listener (reduced: the storage engine, bolt and the
// task scheduler are cut).
func (m *Launcher) run(ctx context.Context, opts *InfluxdOpts) error {
	m.httpServer = &http.Server{
		Addr:              opts.HttpBindAddress,
		ReadHeaderTimeout: 10 * time.Second,
	}

	ln, err := net.Listen("tcp", opts.HttpBindAddress)
	if err != nil {
		m.log.Error("failed http listener", "error", err)
		return err
	}

	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.httpServer.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("Failed http service", "error", err)
		}
	}()
	return nil
}

// Shutdown shuts down the HTTP server and waits for all services to clean up.
func (m *Launcher) Shutdown(ctx context.Context) {
	m.httpServer.Shutdown(ctx)

	m.log.Info("Stopping", "service", "query")
	if err := m.queryController.Shutdown(ctx); err != nil && err != context.Canceled {
		m.log.Info("Failed closing query service", "error", err)
	}

	m.wg.Wait()
}
