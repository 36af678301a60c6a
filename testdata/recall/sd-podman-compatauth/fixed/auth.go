// Recall case sd-podman-compatauth
// Source: github.com/containers/podman commit e48681e600e55718a9699006ac940738fa08f896 (pkg/api/handlers/compat/auth.go)
// Link: https://github.com/containers/podman/commit/e48681e600e55718a9699006ac940738fa08f896
// Bug: the Auth API handler calls DockerClient.CheckAuth(context.Background(), ...) although r.Context() is in scope, so the registry login request ignores client disconnect/cancellation.
// Fix: pass r.Context() to CheckAuth.
// Rule: sharedeadline
package compat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// --- stubs for containers/image types and docker client ---

type OptionalBool byte

const (
	OptionalBoolUndefined OptionalBool = iota
	OptionalBoolTrue
	OptionalBoolFalse
)

func NewOptionalBool(b bool) OptionalBool {
	if b {
		return OptionalBoolTrue
	}
	return OptionalBoolFalse
}

type SystemContext struct {
	DockerInsecureSkipTLSVerify OptionalBool
}

type AuthConfig struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	ServerAddress string `json:"serveraddress,omitempty"`
}

type ErrUnauthorizedForCredentials struct{ Err error }

func (e ErrUnauthorizedForCredentials) Error() string {
	return fmt.Sprintf("unable to retrieve auth token: invalid username/password: %s", e.Err.Error())
}

type dockerClient struct {
	registry string
	scheme   string
	username string
	password string
	client   *http.Client
}

// newDockerClient mirrors containers/image: an http.Client with a transport and no client Timeout.
func newDockerClient(sys *SystemContext, registry string) *dockerClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &dockerClient{registry: registry, scheme: "https", client: &http.Client{Transport: tr}}
}

func (c *dockerClient) makeRequest(ctx context.Context, method, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.scheme+"://"+c.registry+path, nil)
	if err != nil {
		return nil, err
	}
	if c.username != "" {
		req.SetBasicAuth(c.username, c.password)
	}
	return c.client.Do(req)
}

// CheckAuth mirrors docker.CheckAuth: a GET /v2/ against the registry using ctx.
func CheckAuth(ctx context.Context, sys *SystemContext, username, password, registry string) error {
	client := newDockerClient(sys, registry)
	client.username = username
	client.password = password

	resp, err := client.makeRequest(ctx, http.MethodGet, "/v2/")
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	switch resp.StatusCode {
	case http.StatusOK:
		return nil
	case http.StatusUnauthorized:
		return ErrUnauthorizedForCredentials{Err: errors.New(resp.Status)}
	default:
		return fmt.Errorf("unexpected http code: %d", resp.StatusCode)
	}
}

type Runtime struct{}

func (r *Runtime) SystemContext() *SystemContext { return &SystemContext{} }

type runtimeKey struct{}

// RuntimeKey mirrors api.RuntimeKey.
var RuntimeKey = runtimeKey{}

type AuthReport struct {
	IdentityToken string
	Status        string
}

func WriteResponse(w http.ResponseWriter, code int, value interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(value)
}

func Error(w http.ResponseWriter, code int, err error) {
	WriteResponse(w, code, struct {
		Cause string `json:"cause"`
	}{Cause: err.Error()})
}

// --- reduced podman code ---

func stripAddressOfScheme(address string) string {
	for _, s := range []string{"https", "http"} {
		address = strings.TrimPrefix(address, s+"://")
	}
	return address
}

func Auth(w http.ResponseWriter, r *http.Request) {
	var authConfig AuthConfig
	err := json.NewDecoder(r.Body).Decode(&authConfig)
	if err != nil {
		Error(w, http.StatusInternalServerError, fmt.Errorf("failed to parse request: %w", err))
		return
	}

	skipTLS := NewOptionalBool(false)
	if strings.HasPrefix(authConfig.ServerAddress, "https://localhost/") || strings.HasPrefix(authConfig.ServerAddress, "https://localhost:") || strings.HasPrefix(authConfig.ServerAddress, "localhost:") {
		// support for local testing
		skipTLS = NewOptionalBool(true)
	}

	runtime := r.Context().Value(RuntimeKey).(*Runtime)
	sysCtx := runtime.SystemContext()
	sysCtx.DockerInsecureSkipTLSVerify = skipTLS

	fmt.Println("Authenticating with existing credentials...")
	registry := stripAddressOfScheme(authConfig.ServerAddress)
	if err := CheckAuth(r.Context(), sysCtx, authConfig.Username, authConfig.Password, registry); err == nil {
		WriteResponse(w, http.StatusOK, AuthReport{
			IdentityToken: "",
			Status:        "Login Succeeded",
		})
	} else {
		var msg string

		var unauthErr ErrUnauthorizedForCredentials
		if errors.As(err, &unauthErr) {
			msg = "401 Unauthorized"
		} else {
			msg = err.Error()
		}

		WriteResponse(w, http.StatusInternalServerError, struct {
			Message string `json:"message"`
		}{
			Message: "login attempt to " + authConfig.ServerAddress + " failed with status: " + msg,
		})
	}
}
