// Recall case nd-pulumi-detectorg
// Source: github.com/pulumi/pulumi commit 9fb69c528cf45e09f0fa16b7c7b916d02e1b17ea (pkg/backend/httpstate/backend.go)
// Link: https://github.com/pulumi/pulumi/commit/9fb69c528cf45e09f0fa16b7c7b916d02e1b17ea
// Bug: New(ctx, ...) builds lazy promises whose goroutines call the Pulumi Cloud API (capabilities, account details, default org) with context.Background(), so these HTTP calls ignore the caller ctx and cannot be cancelled or bounded by it.
// Fix: detectCapabilities/detectUserInfo/detectDefaultOrg take the ctx from New and pass it to the API client calls.
// Rule: nodeadline
package httpstate

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
)

// Promise is a minimal stand-in for pulumi sdk/go/common/promise.
type Promise[T any] struct {
	done  chan struct{}
	value T
	err   error
}

// Run runs f in a goroutine and returns a promise for its result.
func Run[T any](f func() (T, error)) *Promise[T] {
	p := &Promise[T]{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.value, p.err = f()
	}()
	return p
}

func (p *Promise[T]) Result(ctx context.Context) (T, error) {
	select {
	case <-p.done:
		return p.value, p.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

type Capabilities struct {
	DeltaCheckpointUpdates *struct{} `json:"deltaCheckpointUpdates,omitempty"`
}

// Client is a stand-in for the Pulumi Cloud API client.
type Client struct {
	apiURL   string
	apiToken string
	http     *http.Client
}

func NewClient(apiURL, apiToken string) *Client {
	return &Client{apiURL: apiURL, apiToken: apiToken, http: &http.Client{}}
}

func (c *Client) getJSON(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.apiURL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "token "+c.apiToken)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: unexpected status %d", path, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *Client) GetCapabilities(ctx context.Context) (Capabilities, error) {
	var caps Capabilities
	err := c.getJSON(ctx, "/api/capabilities", &caps)
	return caps, err
}

func (c *Client) GetPulumiAccountDetails(ctx context.Context) (string, []string, error) {
	var resp struct {
		GitHubLogin   string   `json:"githubLogin"`
		Organizations []string `json:"organizations"`
	}
	err := c.getJSON(ctx, "/api/user", &resp)
	return resp.GitHubLogin, resp.Organizations, err
}

type defaultOrgResponse struct {
	GitHubLogin string `json:"gitHubLogin"`
}

func (c *Client) GetDefaultOrg(ctx context.Context) (defaultOrgResponse, error) {
	var resp defaultOrgResponse
	err := c.getJSON(ctx, "/api/user/organizations/default", &resp)
	return resp, err
}

type userInfo struct {
	username      string
	organizations []string
}

type cloudBackend struct {
	url          string
	client       *Client
	capabilities *Promise[Capabilities]
	userInfo     *Promise[userInfo]
	defaultOrg   *Promise[string]
}

func doDetectCapabilities(ctx context.Context, client *Client) Capabilities {
	caps, err := client.GetCapabilities(ctx)
	if err != nil {
		log.Printf("failed to get capabilities: %v", err)
		return Capabilities{}
	}
	switch strings.ToLower(os.Getenv("PULUMI_OPTIMIZED_CHECKPOINT_PATCH")) {
	case "0", "false":
		caps.DeltaCheckpointUpdates = nil
	}
	return caps
}

// New creates a new Pulumi backend for the given cloud API URL and token.
func New(ctx context.Context, cloudURL, apiToken string) (*cloudBackend, error) {
	if cloudURL == "" {
		return nil, fmt.Errorf("no cloud URL")
	}
	apiClient := NewClient(cloudURL, apiToken)

	return &cloudBackend{
		url:          cloudURL,
		client:       apiClient,
		capabilities: detectCapabilities(apiClient),
		userInfo:     detectUserInfo(apiClient),
		defaultOrg:   detectDefaultOrg(apiClient),
	}, nil
}

// Builds a lazy wrapper around doDetectCapabilities.
func detectCapabilities(client *Client) *Promise[Capabilities] {
	return Run(func() (Capabilities, error) {
		return doDetectCapabilities(context.Background(), client), nil
	})
}

// Builds a lazy wrapper around fetching user info.
func detectUserInfo(client *Client) *Promise[userInfo] {
	return Run(func() (userInfo, error) {
		username, orgs, err := client.GetPulumiAccountDetails(context.Background())
		if err != nil {
			log.Printf("failed to get user account details: %v", err)
			return userInfo{}, err
		}
		return userInfo{username: username, organizations: orgs}, nil
	})
}

// Builds a lazy wrapper around fetching default org.
func detectDefaultOrg(client *Client) *Promise[string] {
	return Run(func() (string, error) {
		resp, err := client.GetDefaultOrg(context.Background())
		if err != nil {
			log.Printf("failed to get default org: %v", err)
			return "", err
		}
		return resp.GitHubLogin, nil
	})
}
