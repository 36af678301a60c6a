// Recall case sc-pipecd-canceldeployment
// Source: github.com/pipe-cd/pipecd commit 3299b338e52147f7c0a7c0c867e501795b613bf7 (pkg/app/piped/controller/controller.go)
// Link: https://github.com/pipe-cd/pipecd/commit/3299b338e52147f7c0a7c0c867e501795b613bf7
// Bug: cancelDeployment retries ReportDeploymentCompleted(ctx, ...) and rewraps the failure with fmt.Errorf("...: %v", err), so when the call fails because ctx was cancelled or hit its deadline the returned error no longer matches context.Canceled / context.DeadlineExceeded.
// Fix: the error is wrapped with %w instead of %v, keeping the original (context) error in the chain.
// Rule: swallowcancel
package controller

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand"
	"net/http"
	"time"
)

// ---- stand-in for pkg/backoff ----

type Backoff interface {
	Next() time.Duration
}

type exponential struct {
	base, max time.Duration
	calls     int
}

func NewExponential(base, max time.Duration) Backoff {
	return &exponential{base: base, max: max}
}

func (e *exponential) Next() time.Duration {
	defer func() { e.calls++ }()
	if e.calls == 0 {
		return 0
	}
	d := e.base << (e.calls - 1)
	if d > e.max || d <= 0 {
		d = e.max
	}
	return time.Duration(rand.Int63n(int64(d)))
}

type Retry interface {
	WaitNext(ctx context.Context) bool
}

type retry struct {
	max     int
	calls   int
	backoff Backoff
}

func NewRetry(maxRetries int) Retry {
	return &retry{max: maxRetries, backoff: NewExponential(2*time.Second, time.Minute)}
}

func (r *retry) WaitNext(ctx context.Context) bool {
	defer func() {
		r.calls++
	}()

	if r.calls >= r.max {
		return false
	}

	d := r.backoff.Next()
	if d == 0 {
		select {
		case <-ctx.Done():
			return false
		default:
			return true
		}
	}

	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// ---- stand-in for the piped API client (gRPC in upstream) ----

type ReportDeploymentCompletedRequest struct {
	DeploymentId string `json:"deploymentId"`
	Status       string `json:"status"`
	StatusReason string `json:"statusReason"`
	CompletedAt  int64  `json:"completedAt"`
}

type ReportDeploymentCompletedResponse struct{}

type apiClient interface {
	ReportDeploymentCompleted(ctx context.Context, req *ReportDeploymentCompletedRequest) (*ReportDeploymentCompletedResponse, error)
}

type httpAPIClient struct {
	client  *http.Client
	address string
}

func (c *httpAPIClient) ReportDeploymentCompleted(ctx context.Context, req *ReportDeploymentCompletedRequest) (*ReportDeploymentCompletedResponse, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.address+"/pipedservice/ReportDeploymentCompleted", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("control-plane returned %s", resp.Status)
	}
	return &ReportDeploymentCompletedResponse{}, nil
}

// ---- controller ----

type Deployment struct {
	Id            string
	ApplicationId string
}

type controller struct {
	apiClient apiClient
	logger    *slog.Logger
}

func (c *controller) cancelPending(ctx context.Context, pending map[string]*Deployment, reasons map[string]string) {
	for _, d := range pending {
		if err := c.cancelDeployment(ctx, d, reasons[d.Id]); err != nil {
			c.logger.Error("failed to cancel deployment",
				"deployment", d.Id,
				"app", d.ApplicationId,
				"err", err,
			)
		}
	}
}

func (c *controller) cancelDeployment(ctx context.Context, d *Deployment, reason string) error {
	var (
		err error
		req = &ReportDeploymentCompletedRequest{
			DeploymentId: d.Id,
			Status:       "DEPLOYMENT_CANCELLED",
			StatusReason: reason,
			CompletedAt:  time.Now().Unix(),
		}
		retry = NewRetry(10)
	)

	for retry.WaitNext(ctx) {
		if _, err = c.apiClient.ReportDeploymentCompleted(ctx, req); err == nil {
			return nil
		}
		err = fmt.Errorf("failed to report deployment status to control-plane: %v", err)
	}
	return err
}
