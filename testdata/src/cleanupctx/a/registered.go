package a

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"time"
)

// A handler registered on a mux runs after the function that registers it
// returns; a context that function made and cancels with `defer cancel()`
// is done by then (hatchet's health server gave one 3 s context, made in
// Start, to its /live and /ready handlers: every probe failed).

type health struct {
	db *sql.DB
}

func (h *health) Start(mux *http.ServeMux) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	mux.HandleFunc("/live", func(w http.ResponseWriter, r *http.Request) {
		if err := h.db.PingContext(ctx); err != nil { // want `\(\*sql.DB\).PingContext runs in a function literal handed to mux.HandleFunc, which runs it on each request, and the context it captured is a budget \(\*a.health\).Start made once \(it expires, and its cancel runs when \(\*a.health\).Start returns\): the call fails at once from then on; make the context inside the literal`
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// Negatives.

// A cancellable context without a budget, in a function that goes on to
// serve: the handlers run while it is live.
func (h *health) Serve(l net.Listener) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mux := http.NewServeMux()
	mux.HandleFunc("/live", func(w http.ResponseWriter, r *http.Request) {
		if err := h.db.PingContext(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	return http.Serve(l, mux)
}

// The fix: the context is made inside the handler, from the request's.
func (h *health) StartFixed(mux *http.ServeMux) {
	mux.HandleFunc("/live", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := h.db.PingContext(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// A literal that is no handler may run during the call it is handed to
// (a retry helper): the context is live then.
func retryPing(ping func(func() error) error, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return ping(func() error { return db.PingContext(ctx) })
}

// A handler capturing a context whose cancel is not deferred by the
// registering function.
func (h *health) StartWith(ctx context.Context, mux *http.ServeMux) {
	mux.HandleFunc("/live", func(w http.ResponseWriter, r *http.Request) {
		if err := h.db.PingContext(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
}
