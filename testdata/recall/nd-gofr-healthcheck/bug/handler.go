// Recall case nd-gofr-healthcheck
// Source: github.com/gofr-dev/gofr commit 24f153bbe035fc4c847912d6868a4a5add0d19cd (pkg/gofr/handler.go)
// Link: https://github.com/gofr-dev/gofr/commit/24f153bbe035fc4c847912d6868a4a5add0d19cd
// Bug: the /.well-known/health handler calls Container.Health(), whose per-service HealthCheck() issues h.Get(context.TODO(), ...) on an http.Client{} without Timeout, so a hung downstream service blocks the health request forever and ignores the caller cancelling it.
// Fix: the request context is threaded through Health(ctx) -> HealthCheck(ctx) -> getHealthResponseForEndpoint(ctx, ...) -> h.Get(ctx, ...).
// Rule: nodeadline
package service

import (
	"context"
	"encoding/json"
	"net/http"
)

// Context stands in for gofr.Context: it embeds the request context and the container.
type Context struct {
	context.Context
	*Container
}

func healthHandler(c *Context) (interface{}, error) {
	return c.Health(), nil
}

// ServeHealth stands in for gofr's handler.ServeHTTP wiring of the health route.
func ServeHealth(container *Container) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &Context{Context: r.Context(), Container: container}
		res, err := healthHandler(c)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(res)
	})
}
