// Recall case cc-vspd-webshutdown
// Source: github.com/decred/vspd commit 02fe18ba97f0250e63f897fe85b28d1005f474e5 (internal/webapi/webapi.go)
// Link: https://github.com/decred/vspd/commit/02fe18ba97f0250e63f897fe85b28d1005f474e5
// Bug: Run's shutdown goroutine waits for <-ctx.Done() and then calls w.server.Shutdown(ctx) with that already-cancelled ctx, so Shutdown returns immediately and in-flight requests get no time to finish.
// Fix: Shutdown is given a fresh context.WithTimeout(context.Background(), 10*time.Second) that is cancelled after Shutdown returns.
// Rule: cleanupctx
package webapi

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

type Config struct {
	Listen string
	Debug  bool
}

type cache struct {
	mu      sync.Mutex
	updated time.Time
}

func (c *cache) update() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.updated = time.Now()
	return nil
}

type WebAPI struct {
	cfg      Config
	log      *log.Logger
	cache    *cache
	server   *http.Server
	listener net.Listener
}

func New(cfg Config, logger *log.Logger) (*WebAPI, error) {
	cache := &cache{}
	err := cache.update()
	if err != nil {
		logger.Printf("Could not initialize VSP stats cache: %v", err)
	}

	// Create TCP listener.
	listener, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, err
	}

	w := &WebAPI{
		cfg:      cfg,
		log:      logger,
		cache:    cache,
		listener: listener,
	}

	w.server = &http.Server{
		Handler:      w.router(),
		ReadTimeout:  5 * time.Second,  // slow requests should not hold connections opened
		WriteTimeout: 60 * time.Second, // hung responses must die
	}

	return w, nil
}

func (w *WebAPI) Run(ctx context.Context) {
	var wg sync.WaitGroup

	// Add the graceful shutdown to the waitgroup.
	wg.Add(1)
	go func() {
		// Wait until context is canceled before shutting down the server.
		<-ctx.Done()

		w.log.Print("Stopping webserver...")
		_ = w.server.Shutdown(ctx)
		w.log.Print("Webserver stopped")

		wg.Done()
	}()

	// Start webserver.
	wg.Add(1)
	go func() {
		w.log.Printf("Listening on %s", w.listener.Addr())
		err := w.server.Serve(w.listener)
		// ErrServerClosed is expected from a graceful server shutdown, it can
		// be ignored. Anything else should be logged.
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			w.log.Printf("Unexpected webserver error: %v", err)
		}
		wg.Done()
	}()

	// Periodically update cached VSP stats.
	wg.Add(1)
	go func() {
		refresh := 1 * time.Minute
		if w.cfg.Debug {
			refresh = 1 * time.Second
		}
		for {
			select {
			case <-ctx.Done():
				wg.Done()
				return
			case <-time.After(refresh):
				err := w.cache.update()
				if err != nil {
					w.log.Printf("Failed to update cached VSP stats: %v", err)
				}
			}
		}
	}()

	wg.Wait()
}

func (w *WebAPI) router() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v3/vspinfo", func(rw http.ResponseWriter, r *http.Request) {
		w.cache.mu.Lock()
		updated := w.cache.updated
		w.cache.mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		_, _ = rw.Write([]byte(`{"updated":"` + updated.Format(time.RFC3339) + `"}`))
	})
	return mux
}
