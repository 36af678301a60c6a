// Recall case sc-lakefs-healthcheck-retry
// Source: github.com/treeverse/lakeFS commit 6f82fa0cc0edf16d477a712f6caa137982310e8c (pkg/auth/service.go)
// Link: https://github.com/treeverse/lakeFS/commit/6f82fa0cc0edf16d477a712f6caa137982310e8c
// Bug: CheckHealth retries the auth-server health probe with backoff.Retry on a plain exponential backoff that is not bound to ctx, so once ctx is cancelled every probe fails with the context error and the loop keeps retrying (and sleeping) until MaxElapsedTime instead of stopping.
// Fix: wrap the backoff with backoff.WithContext(bo, ctx) so the retry loop stops and returns when ctx is done.
// Rule: swallowcancel
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"
)

const (
	healthCheckMaxInterval     = 5 * time.Second
	healthCheckInitialInterval = 1 * time.Second
)

var ErrInvalidResponse = errors.New("invalid response")

// apiClient is a reduced stand-in for the generated external auth API client.
type apiClient struct {
	endpoint string
	http     *http.Client
}

type healthCheckResponse struct {
	status     string
	statusCode int
}

func (r *healthCheckResponse) Status() string  { return r.status }
func (r *healthCheckResponse) StatusCode() int { return r.statusCode }

func (c *apiClient) HealthCheckWithResponse(ctx context.Context) (*healthCheckResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+"/healthcheck", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return &healthCheckResponse{status: resp.Status, statusCode: resp.StatusCode}, nil
}

type versionResponse struct {
	status  string
	JSON200 *struct {
		Version string `json:"version"`
	}
}

func (r *versionResponse) Status() string { return r.status }

func (c *apiClient) GetVersionWithResponse(ctx context.Context) (*versionResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+"/config/version", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := &versionResponse{status: resp.Status}
	if resp.StatusCode == http.StatusOK {
		out.JSON200 = &struct {
			Version string `json:"version"`
		}{}
		if err := json.NewDecoder(resp.Body).Decode(out.JSON200); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type APIAuthService struct {
	apiClient *apiClient
}

func (a *APIAuthService) CheckHealth(ctx context.Context, logger *log.Logger, timeout time.Duration) error {
	logger.Print("Performing health check, this can take up to ", timeout)
	bo := backoff.NewExponentialBackOff()
	bo.MaxInterval = healthCheckMaxInterval
	bo.InitialInterval = healthCheckInitialInterval
	bo.MaxElapsedTime = timeout
	err := backoff.Retry(func() error {
		healthResp, err := a.apiClient.HealthCheckWithResponse(ctx)
		switch {
		case err != nil:
			return err
		case healthResp.StatusCode() == http.StatusNoContent:
			return nil
		default:
			return fmt.Errorf("health check returned status %s: %w", healthResp.Status(), ErrInvalidResponse)
		}
	}, backoff.WithContext(bo, ctx))
	if err != nil {
		return err
	}

	resp, err := a.apiClient.GetVersionWithResponse(ctx)
	if err != nil {
		return fmt.Errorf("get version failed: %w", err)
	}
	if resp.JSON200 == nil {
		return fmt.Errorf("get version returned status %s: %w", resp.Status(), ErrInvalidResponse)
	}
	logger.Print("auth API server version: ", resp.JSON200.Version)
	return nil
}
