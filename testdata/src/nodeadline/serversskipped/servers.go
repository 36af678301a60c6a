// Package serversskipped: with -skip-servers, nothing here is reported; HTTP servers that read their clients' requests with no
// deadline (toxiproxy's API server used http.ListenAndServe; the fix built
// an http.Server with read and write timeouts).
package serversskipped

import (
	"net"
	"net/http"
	"os"
	"time"
)

func listenZero(h http.Handler) error {
	return http.ListenAndServe(":8080", h)
}

func serveZero(l net.Listener, h http.Handler) error {
	return http.Serve(l, h)
}

func literalNoTimeouts(h http.Handler) error {
	srv := &http.Server{Addr: ":8080", Handler: h}
	return srv.ListenAndServe()
}

type api struct {
	srv *http.Server
}

func newAPI(h http.Handler) *api {
	return &api{srv: &http.Server{Addr: ":8080", Handler: h, WriteTimeout: time.Minute}}
}

func (a *api) run() error {
	return a.srv.ListenAndServe()
}

// Negatives.

func withHeaderTimeout(h http.Handler) error {
	srv := &http.Server{Addr: ":8080", Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

func withReadTimeout(l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadTimeout: 30 * time.Second}
	return srv.Serve(l)
}

// A timeout from configuration may be zero: unknown, left alone.
func fromConfig(h http.Handler, d time.Duration) error {
	srv := &http.Server{Addr: ":8080", Handler: h, ReadHeaderTimeout: d}
	return srv.ListenAndServe()
}

// A server someone else built.
func given(srv *http.Server) error {
	return srv.ListenAndServe()
}

// Set after the literal, before serving.
func setLater(h http.Handler) error {
	srv := &http.Server{Addr: os.Getenv("ADDR"), Handler: h}
	srv.ReadHeaderTimeout = 5 * time.Second
	return srv.ListenAndServe()
}
