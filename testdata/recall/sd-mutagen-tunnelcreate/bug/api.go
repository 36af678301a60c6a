// Recall case sd-mutagen-tunnelcreate
// Source: github.com/mutagen-io/mutagen commit 066f4ec2dc7c0b270ea6ee783d6e97f48ab4324e (pkg/mutagenio/api.go)
// Link: https://github.com/mutagen-io/mutagen/commit/066f4ec2dc7c0b270ea6ee783d6e97f48ab4324e
// Bug: newTunnel discards the ctx that Manager.Create passes in (`_ context.Context`) and calls TunnelCreate with context.WithTimeout(context.Background(), tunnelCreateTimeout), so the caller's cancellation and deadline never reach the mutagen.io API request
// Fix: newTunnel keeps the ctx parameter and derives the timeout from it: context.WithTimeout(ctx, tunnelCreateTimeout)
// Rule: sharedeadline
package tunneling

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Copy of mutagen's pkg/mutagenio API client (same package here).

const (
	// apiEndpoint is the mutagen.io API endpoint.
	apiEndpoint = "https://api.mutagen.io/v1/"
)

// unexpectedResponseStatusError is an error type returned from callAPI if the
// response status returned from the server did not match what was expected.
type unexpectedResponseStatusError struct {
	// status is the returned status.
	status int
}

// Error implements error.Error.
func (e *unexpectedResponseStatusError) Error() string {
	return fmt.Sprintf("unexpected response status: %d %s", e.status, http.StatusText(e.status))
}

var (
	// ErrUnauthorized is a sentinel error returned if an API endpoint returns
	// a 401 (Unauthorized) status code.
	ErrUnauthorized = errors.New("unauthorized")
)

// readAPIToken reads the mutagen.io API token from disk.
func readAPIToken() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(home, ".mutagen", "mutagen.io.token"))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}

// callAPI performs an API request using the specified parameters.
func callAPI(ctx context.Context, method, resource, token string, request, response interface{}, expectedStatus int) error {
	// Create a buffer for the body and encode the request object into it.
	body := &bytes.Buffer{}
	encoder := json.NewEncoder(body)
	if err := encoder.Encode(request); err != nil {
		return fmt.Errorf("unable to encode request body: %w", err)
	}

	// Create the request.
	httpRequest, err := http.NewRequestWithContext(ctx, method, apiEndpoint+resource, body)
	if err != nil {
		return fmt.Errorf("unable to create request: %w", err)
	}

	// Set the authorization header.
	httpRequest.Header.Set("Authorization", "Bearer "+token)

	// Perform the request and (if successful) ensure the response body is
	// closed.
	httpResponse, err := http.DefaultClient.Do(httpRequest)
	if err != nil {
		return fmt.Errorf("unable to perform request: %w", err)
	}
	defer httpResponse.Body.Close()

	// Verify that the response status code is as expected.
	if httpResponse.StatusCode != expectedStatus {
		return &unexpectedResponseStatusError{httpResponse.StatusCode}
	}

	// Decode the response body.
	decoder := json.NewDecoder(httpResponse.Body)
	if err := decoder.Decode(response); err != nil {
		return fmt.Errorf("unable to decode response body: %w", err)
	}

	// Success.
	return nil
}

// tunnelCreateRequest is the JSON format for tunnel creation requests.
type tunnelCreateRequest struct{}

// tunnelCreateResponse is the JSON format for tunnel creation responses.
type tunnelCreateResponse struct {
	ID          string `json:"id"`
	HostToken   string `json:"hostToken"`
	ClientToken string `json:"clientToken"`
}

// ensureValid ensures that tunnelCreateResponse's invariants are respected.
func (r *tunnelCreateResponse) ensureValid() error {
	if r == nil {
		return errors.New("nil response")
	}
	if r.ID == "" {
		return errors.New("empty tunnel identifier")
	}
	if r.HostToken == "" {
		return errors.New("empty tunnel host token")
	}
	if r.ClientToken == "" {
		return errors.New("empty tunnel client token")
	}
	return nil
}

// TunnelCreate creates a new tunnel using the underlying API key. It returns
// the tunnel identifier, host token, and client token.
func TunnelCreate(ctx context.Context) (string, string, string, error) {
	// Read the API token.
	apiToken, err := readAPIToken()
	if err != nil {
		return "", "", "", fmt.Errorf("unable to read API token: %w", err)
	}

	// Create the request.
	request := &tunnelCreateRequest{}

	// Perform the operation and validate the response.
	response := &tunnelCreateResponse{}
	if err := callAPI(ctx, http.MethodPost, "tunnels", apiToken, request, response, http.StatusCreated); err != nil {
		if unexpectedResponseStatusErr, ok := err.(*unexpectedResponseStatusError); ok {
			if unexpectedResponseStatusErr.status == http.StatusUnauthorized {
				return "", "", "", ErrUnauthorized
			}
		}
		return "", "", "", err
	} else if err = response.ensureValid(); err != nil {
		return "", "", "", fmt.Errorf("received invalid response: %w", err)
	}

	// Success.
	return response.ID, response.HostToken, response.ClientToken, nil
}
