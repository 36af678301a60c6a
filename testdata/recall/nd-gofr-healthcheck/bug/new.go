// Recall case nd-gofr-healthcheck
// Source: github.com/gofr-dev/gofr commit 24f153bbe035fc4c847912d6868a4a5add0d19cd (pkg/gofr/service/new.go)
// Link: https://github.com/gofr-dev/gofr/commit/24f153bbe035fc4c847912d6868a4a5add0d19cd
// Bug: the /.well-known/health handler calls Container.Health(), whose per-service HealthCheck() issues h.Get(context.TODO(), ...) on an http.Client{} without Timeout, so a hung downstream service blocks the health request forever and ignores the caller cancelling it.
// Fix: the request context is threaded through Health(ctx) -> HealthCheck(ctx) -> getHealthResponseForEndpoint(ctx, ...) -> h.Get(ctx, ...).
// Rule: nodeadline
package service

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type httpService struct {
	*http.Client
	url string
}

type HTTP interface {
	// HTTP is embedded as HTTP would be able to access it's clients method
	httpClient

	// HealthCheck to get the service health and report it to the current application
	HealthCheck() *Health
	getHealthResponseForEndpoint(endpoint string) *Health
}

type httpClient interface {
	// Get performs an HTTP GET request.
	Get(ctx context.Context, api string, queryParams map[string]interface{}) (*http.Response, error)
}

// NewHTTPService function creates a new instance of the httpService struct, which implements the HTTP interface.
func NewHTTPService(serviceAddress string) HTTP {
	return &httpService{
		// using default http client to do http communication
		Client: &http.Client{},
		url:    serviceAddress,
	}
}

func (h *httpService) Get(ctx context.Context, path string, queryParams map[string]interface{}) (*http.Response, error) {
	return h.createAndSendRequest(ctx, http.MethodGet, path, queryParams, nil, nil)
}

func (h *httpService) createAndSendRequest(ctx context.Context, method string, path string,
	queryParams map[string]interface{}, body []byte, headers map[string]string) (*http.Response, error) {
	uri := h.url + "/" + path
	uri = strings.TrimRight(uri, "/")

	req, err := http.NewRequestWithContext(ctx, method, uri, bytes.NewBuffer(body))
	if err != nil {
		return nil, err
	}

	for k, v := range headers {
		req.Header.Set(k, v)
	}

	q := req.URL.Query()
	for k, v := range queryParams {
		q.Set(k, fmt.Sprintf("%v", v))
	}
	req.URL.RawQuery = q.Encode()

	requestStart := time.Now()

	resp, err := h.Do(req)

	_ = time.Since(requestStart)

	return resp, err
}
