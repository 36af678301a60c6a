// Recall case cc-consul-terraform-sync-apiserve
// Source: github.com/hashicorp/consul-terraform-sync commit 1c508e21283472f363c4561e1c52a45ee1433685 (api/api.go)
// Link: https://github.com/hashicorp/consul-terraform-sync/commit/1c508e21283472f363c4561e1c52a45ee1433685
// Bug: Serve creates the 5s shutdown context up front and defers its cancel, but Serve returns right away, so by the time <-ctx.Done() fires the goroutine calls srv.Shutdown with an already-cancelled context and the server is never drained gracefully.
// Fix: the shutdown context is created with a fresh 5s timeout inside the <-ctx.Done() branch, just before calling Shutdown (and Serve now blocks until shutdown).
// Rule: cleanupctx
package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"
)

const (
	defaultAPIVersion = "v1"
	taskStatusPath    = "status/tasks"
)

// Store stands in for event.Store.
type Store struct {
	mu     sync.Mutex
	events map[string][]string
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{events: map[string][]string{}} }

func newTaskStatusHandler(store *Store, version string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		store.mu.Lock()
		defer store.mu.Unlock()
		jsonResponse(w, http.StatusOK, store.events)
	})
}

// API supports api requests to the cts biniary
type API struct {
	store   *Store
	port    int
	version string
	srv     *http.Server
}

// NewAPI create a new API object
func NewAPI(store *Store, port int) *API {
	mux := http.NewServeMux()

	// retrieve task status for a task-name
	mux.Handle(fmt.Sprintf("/%s/%s/", defaultAPIVersion, taskStatusPath),
		newTaskStatusHandler(store, defaultAPIVersion))
	// retrieve all task statuses
	mux.Handle(fmt.Sprintf("/%s/%s", defaultAPIVersion, taskStatusPath),
		newTaskStatusHandler(store, defaultAPIVersion))

	srv := &http.Server{
		Addr:         fmt.Sprintf(":%d", port),
		WriteTimeout: time.Second * 15,
		ReadTimeout:  time.Second * 15,
		IdleTimeout:  time.Second * 60,
		Handler:      mux,
	}

	return &API{
		port:    port,
		store:   store,
		version: defaultAPIVersion,
		srv:     srv,
	}
}

// Serve starts up and handles shutdown for the http server to serve
// API requests
func (api *API) Serve(ctx context.Context) {
	go func() {
		if err := api.srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			// go ahead and stop cts from continuing
			log.Fatalf("error starting api server at '%d': '%s'\n", api.port, err)
		}
	}()

	log.Printf("[INFO] (api) server started at port %d", api.port)

	ctxShutDown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	go func() {
		for {
			select {
			case <-ctx.Done():
				log.Printf("[INFO] (api) stopping api server")
				if err := api.srv.Shutdown(ctxShutDown); err != nil {
					log.Printf("[ERROR] (api) error stopping api server: '%s'", err)
				}
				return
			}
		}
	}()
}

// jsonResponse adds the return response for handlers.
func jsonResponse(w http.ResponseWriter, code int, response interface{}) error {
	w.Header().Add("Content-Type", "application/json")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(response)
}
