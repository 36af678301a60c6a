// Recall case uw-alertmanager-reload
// Source: github.com/prometheus/alertmanager commit 119387341915fb737c2ca00a8cee1075e31e58d4 (httpserver/httpserver.go)
// Link: https://github.com/prometheus/alertmanager/commit/119387341915fb737c2ca00a8cee1075e31e58d4
// Bug: the POST /-/reload handler blocks on "reloadCh <- errc" and "<-errc" without watching req.Context(), so a client disconnect or server shutdown leaves the handler stuck until the reload router serves it (and the unbuffered errc plus "defer close(errc)" can block or panic the reloader).
// Fix: errc is buffered (size 1), the defer close is removed, and both the enqueue and the reply wait select on req.Context().Done().
// Rule: uncancellablewait
package httpserver

import (
	"fmt"
	"net/http"
)

// Router is a minimal stand-in for github.com/prometheus/common/route.Router.
type Router struct {
	mux *http.ServeMux
}

// NewRouter returns a new Router.
func NewRouter() *Router { return &Router{mux: http.NewServeMux()} }

// Get registers a GET handler.
func (r *Router) Get(path string, h http.HandlerFunc) { r.mux.HandleFunc("GET "+path, h) }

// Post registers a POST handler.
func (r *Router) Post(path string, h http.HandlerFunc) { r.mux.HandleFunc("POST "+path, h) }

// ServeHTTP implements http.Handler.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.mux.ServeHTTP(w, req) }

// Register registers handlers to serve files for automations.
func Register(r *Router, reloadCh chan<- chan error) {
	r.Post("/-/reload", func(w http.ResponseWriter, req *http.Request) {
		errc := make(chan error)
		defer close(errc)

		reloadCh <- errc
		if err := <-errc; err != nil {
			http.Error(w, fmt.Sprintf("failed to reload config: %s", err), http.StatusInternalServerError)
		}
	})

	r.Get("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		fmt.Fprintf(w, "OK")
	})
}
