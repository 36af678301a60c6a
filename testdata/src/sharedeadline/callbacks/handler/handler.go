// Package handler calls the functions it is given while serving a request.
package handler

import (
	"context"
	"net/http"
)

// New returns a handler that calls check for every request (etcd's
// NewHealthHandler).
func New(check func(verbose bool) bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !check(r.URL.Query().Has("verbose")) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}
}

// NewWithContext passes the request's context on: the fixed form.
func NewWithContext(check func(ctx context.Context) bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !check(r.Context()) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}
}

// Each calls f for every item where its caller's ctx is in scope.
func Each(ctx context.Context, items []string, f func(string) error) error {
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := f(it); err != nil {
			return err
		}
	}
	return nil
}

// Later stores f for a timer: no context where it runs.
func Later(f func()) { pending = append(pending, f) }

var pending []func()

// Run calls f with no context in scope at all.
func Run(f func() error) error { return f() }
