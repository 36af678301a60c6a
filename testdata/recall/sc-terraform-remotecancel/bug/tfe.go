// Recall case sc-terraform-remotecancel
// Source: github.com/hashicorp/terraform commit 01f17fa0ca7fa2221565dc058bdffb23549a3855 (backend/remote/backend.go)
// Link: https://github.com/hashicorp/terraform/commit/01f17fa0ca7fa2221565dc058bdffb23549a3855
// Bug: in Remote.Operation's goroutine, an opErr == context.Canceled with no run (r == nil) is filtered out of error reporting and the goroutine returns leaving runningOp.Result at OperationSuccess, so a cancelled plan/apply exits 0
// Fix: when r == nil && opErr == context.Canceled set runningOp.Result = OperationFailure (and treat tfe.RunCanceled as failure)
// Rule: swallowcancel
package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Stand-in for github.com/hashicorp/go-tfe: every call is a JSON request to the
// Terraform Cloud/Enterprise API made with the caller's context.

type RunStatus string

const (
	RunPending  RunStatus = "pending"
	RunErrored  RunStatus = "errored"
	RunCanceled RunStatus = "canceled"
)

type ConfigurationStatus string

const ConfigurationUploaded ConfigurationStatus = "uploaded"

type Workspace struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	CanQueueRun bool   `json:"can-queue-run"`
}

type ConfigurationVersion struct {
	ID     string              `json:"id"`
	Status ConfigurationStatus `json:"status"`
}

type Run struct {
	ID           string    `json:"id"`
	Status       RunStatus `json:"status"`
	HasChanges   bool      `json:"has-changes"`
	IsCancelable bool      `json:"is-cancelable"`
}

type tfeClient struct {
	address    string
	token      string
	httpClient *http.Client
}

func newTFEClient(address, token string) *tfeClient {
	return &tfeClient{
		address:    address,
		token:      token,
		httpClient: &http.Client{Timeout: 30 * time.Second},
	}
}

func (c *tfeClient) do(ctx context.Context, method, path string, in, out interface{}) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.address+"/api/v2"+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/vnd.api+json")
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("unexpected status %s", resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *tfeClient) WorkspacesRead(ctx context.Context, name string) (*Workspace, error) {
	w := &Workspace{}
	return w, c.do(ctx, http.MethodGet, "/workspaces/"+name, nil, w)
}

func (c *tfeClient) ConfigurationVersionsCreate(ctx context.Context, workspaceID string, speculative bool) (*ConfigurationVersion, error) {
	cv := &ConfigurationVersion{}
	in := map[string]interface{}{"auto-queue-runs": false, "speculative": speculative}
	return cv, c.do(ctx, http.MethodPost, "/workspaces/"+workspaceID+"/configuration-versions", in, cv)
}

func (c *tfeClient) ConfigurationVersionsRead(ctx context.Context, cvID string) (*ConfigurationVersion, error) {
	cv := &ConfigurationVersion{}
	return cv, c.do(ctx, http.MethodGet, "/configuration-versions/"+cvID, nil, cv)
}

func (c *tfeClient) RunsCreate(ctx context.Context, cvID, workspaceID string, destroy bool) (*Run, error) {
	r := &Run{}
	in := map[string]interface{}{"configuration-version": cvID, "workspace": workspaceID, "is-destroy": destroy}
	return r, c.do(ctx, http.MethodPost, "/runs", in, r)
}

func (c *tfeClient) RunsRead(ctx context.Context, runID string) (*Run, error) {
	r := &Run{}
	return r, c.do(ctx, http.MethodGet, "/runs/"+runID, nil, r)
}

func (c *tfeClient) RunsCancel(ctx context.Context, runID string) error {
	return c.do(ctx, http.MethodPost, "/runs/"+runID+"/actions/cancel", nil, nil)
}
