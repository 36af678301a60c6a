// Recall case sd-hatchet-healthstart
// Source: github.com/hatchet-dev/hatchet commit 8ca4b6130ce72defc41243d1f797ba6db0223bb6 (internal/services/health/health.go)
// Link: https://github.com/hatchet-dev/hatchet/commit/8ca4b6130ce72defc41243d1f797ba6db0223bb6
// Bug: Health.Start creates one ctx with context.WithTimeout(context.Background(), 3s) (and cancels it when Start returns) and the /live and /ready handlers run the DB health query under that shared budget instead of the request context, so probes ignore r.Context() and fail once that one budget is gone.
// Fix: each handler derives its own budget with context.WithTimeout(r.Context(), 3*time.Second).
// Rule: sharedeadline
package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

type Health struct {
	ready   bool
	version string

	repository EngineRepository
	queue      MessageQueue
}

func New(repo EngineRepository, queue MessageQueue, version string) *Health {
	return &Health{
		version:    version,
		repository: repo,
		queue:      queue,
	}
}

func (h *Health) SetReady(ready bool) {
	h.ready = ready
}

func (h *Health) Start(port int) (func() error, error) {
	mux := http.NewServeMux()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()

	mux.HandleFunc("/live", func(w http.ResponseWriter, r *http.Request) {
		if !h.ready || !h.queue.IsReady() || !h.repository.Health().IsHealthy(ctx) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}

		w.WriteHeader(http.StatusOK)
	})

	mux.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		if !h.ready || !h.queue.IsReady() || !h.repository.Health().IsHealthy(ctx) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}

		w.WriteHeader(http.StatusOK)
	})

	mux.HandleFunc("/version", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		e := json.NewEncoder(w).Encode(map[string]string{"version": h.version})
		if e != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
	})
	server := &http.Server{
		Addr:         fmt.Sprintf(":%d", port),
		Handler:      mux,
		ReadTimeout:  5 * time.Second,
		WriteTimeout: 5 * time.Second,
	}

	l, err := net.Listen("tcp", server.Addr)
	if err != nil {
		return nil, fmt.Errorf("could not listen on %s: %w", server.Addr, err)
	}
	go func() {
		if err := server.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(err)
		}
	}()

	cleanup := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := server.Shutdown(ctx); err != nil {
			return fmt.Errorf("could not shutdown server: %w", err)
		}
		return nil
	}

	return cleanup, nil
}
