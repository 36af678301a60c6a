// Recall case nd-gofr-healthcheck
// Source: github.com/gofr-dev/gofr commit 24f153bbe035fc4c847912d6868a4a5add0d19cd (pkg/gofr/service/health.go)
// Link: https://github.com/gofr-dev/gofr/commit/24f153bbe035fc4c847912d6868a4a5add0d19cd
// Bug: the /.well-known/health handler calls Container.Health(), whose per-service HealthCheck() issues h.Get(context.TODO(), ...) on an http.Client{} without Timeout, so a hung downstream service blocks the health request forever and ignores the caller cancelling it.
// Fix: the request context is threaded through Health(ctx) -> HealthCheck(ctx) -> getHealthResponseForEndpoint(ctx, ...) -> h.Get(ctx, ...).
// Rule: nodeadline
package service

import (
	"context"
	"net/http"
)

const (
	serviceUp   = "UP"
	serviceDown = "DOWN"
)

type Health struct {
	Status  string                 `json:"status"`
	Details map[string]interface{} `json:"details"`
}

func (h *httpService) HealthCheck() *Health {
	return h.getHealthResponseForEndpoint(".well-known/health")
}

func (h *httpService) getHealthResponseForEndpoint(endpoint string) *Health {
	var healthResponse = Health{
		Details: make(map[string]interface{}),
	}

	resp, err := h.Get(context.TODO(), endpoint, nil)

	if err != nil || resp == nil {
		healthResponse.Status = serviceDown
		healthResponse.Details["error"] = err.Error()

		return &healthResponse
	}

	defer resp.Body.Close()

	healthResponse.Details["host"] = resp.Request.URL.Host

	if resp.StatusCode == http.StatusOK {
		healthResponse.Status = serviceUp

		return &healthResponse
	}

	healthResponse.Status = serviceDown
	healthResponse.Details["error"] = "service down"

	return &healthResponse
}
