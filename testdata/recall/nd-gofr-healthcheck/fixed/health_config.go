// Recall case nd-gofr-healthcheck
// Source: github.com/gofr-dev/gofr commit 24f153bbe035fc4c847912d6868a4a5add0d19cd (pkg/gofr/service/health_config.go)
// Link: https://github.com/gofr-dev/gofr/commit/24f153bbe035fc4c847912d6868a4a5add0d19cd
// Bug: the /.well-known/health handler calls Container.Health(), whose per-service HealthCheck() issues h.Get(context.TODO(), ...) on an http.Client{} without Timeout, so a hung downstream service blocks the health request forever and ignores the caller cancelling it.
// Fix: the request context is threaded through Health(ctx) -> HealthCheck(ctx) -> getHealthResponseForEndpoint(ctx, ...) -> h.Get(ctx, ...).
// Rule: nodeadline
package service

import "context"

type HealthConfig struct {
	HealthEndpoint string
}

type customHealthService struct {
	healthEndpoint string
	HTTP
}

func (c *customHealthService) HealthCheck(ctx context.Context) *Health {
	return c.HTTP.getHealthResponseForEndpoint(ctx, c.healthEndpoint)
}
