// Recall case sd-ggcr-bearerrefresh
// Source: github.com/google/go-containerregistry commit 3904ad806ff1c30cb12e7d41f78a5702bf7e176d (pkg/v1/remote/transport/bearer.go)
// Link: https://github.com/google/go-containerregistry/commit/3904ad806ff1c30cb12e7d41f78a5702bf7e176d
// Bug: bearerTransport.RoundTrip(in) refreshes the token via refresh -> refreshBasic/refreshOauth, which build http.NewRequest (background ctx) although in.Context() is in scope, so the caller's deadline/cancel is ignored for the token exchange
// Fix: refresh/refreshBasic/refreshOauth take ctx; RoundTrip passes in.Context() and the token requests use it
// Rule: sharedeadline
package transport

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

const transportName = "go-containerregistry"

// AuthConfig is a reduced stand-in for authn.AuthConfig.
type AuthConfig struct {
	Username      string
	Password      string
	IdentityToken string
	RegistryToken string
}

// Authenticator is a reduced stand-in for authn.Authenticator.
type Authenticator interface {
	Authorization() (*AuthConfig, error)
}

type staticAuth struct{ cfg AuthConfig }

func (s staticAuth) Authorization() (*AuthConfig, error) { return &s.cfg, nil }

// redactKey / redactNewContext stand in for pkg/internal/redact.NewContext.
type redactKey struct{}

func redactNewContext(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, redactKey{}, reason)
}

// Error is a reduced stand-in for transport.Error.
type Error struct {
	StatusCode int
	Body       string
}

func (e *Error) Error() string { return fmt.Sprintf("unexpected status %d: %s", e.StatusCode, e.Body) }

// CheckError is a reduced stand-in for transport.CheckError.
func CheckError(resp *http.Response, codes ...int) error {
	for _, code := range codes {
		if resp.StatusCode == code {
			return nil
		}
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return &Error{StatusCode: resp.StatusCode, Body: string(b)}
}

// basicTransport is a reduced stand-in for the package's basicTransport.
type basicTransport struct {
	inner  http.RoundTripper
	auth   Authenticator
	target string
}

func (bt *basicTransport) RoundTrip(in *http.Request) (*http.Response, error) {
	if in.URL.Host == bt.target {
		auth, err := bt.auth.Authorization()
		if err != nil {
			return nil, err
		}
		if auth.Username != "" || auth.Password != "" {
			in.SetBasicAuth(auth.Username, auth.Password)
		}
	}
	return bt.inner.RoundTrip(in)
}

type bearerTransport struct {
	inner    http.RoundTripper
	basic    Authenticator
	bearer   AuthConfig
	registry string
	realm    string
	service  string
	scopes   []string
	scheme   string
}

var _ http.RoundTripper = (*bearerTransport)(nil)

// RoundTrip implements http.RoundTripper
func (bt *bearerTransport) RoundTrip(in *http.Request) (*http.Response, error) {
	sendRequest := func() (*http.Response, error) {
		if in.URL.Host == bt.registry {
			hdr := fmt.Sprintf("Bearer %s", bt.bearer.RegistryToken)
			in.Header.Set("Authorization", hdr)
		}
		return bt.inner.RoundTrip(in)
	}

	res, err := sendRequest()
	if err != nil {
		return nil, err
	}

	// Perform a token refresh() and retry the request in case the token has expired
	if res.StatusCode == http.StatusUnauthorized {
		if err = bt.refresh(); err != nil {
			return nil, err
		}
		return sendRequest()
	}

	return res, err
}

func (bt *bearerTransport) refresh() error {
	auth, err := bt.basic.Authorization()
	if err != nil {
		return err
	}

	if auth.RegistryToken != "" {
		bt.bearer.RegistryToken = auth.RegistryToken
		return nil
	}

	var content []byte
	if auth.IdentityToken != "" {
		content, err = bt.refreshOauth()
		if terr, ok := err.(*Error); ok && terr.StatusCode == http.StatusNotFound {
			content, err = bt.refreshBasic()
		}
	} else {
		content, err = bt.refreshBasic()
	}
	if err != nil {
		return err
	}

	type tokenResponse struct {
		Token        string `json:"token"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}

	var response tokenResponse
	if err := json.Unmarshal(content, &response); err != nil {
		return err
	}
	if response.AccessToken != "" {
		response.Token = response.AccessToken
	}
	if response.Token != "" {
		bt.bearer.RegistryToken = response.Token
	} else {
		return fmt.Errorf("no token in bearer response:\n%s", content)
	}
	if response.RefreshToken != "" {
		bt.basic = staticAuth{cfg: AuthConfig{IdentityToken: response.RefreshToken}}
	}
	return nil
}

// https://docs.docker.com/registry/spec/auth/oauth/
func (bt *bearerTransport) refreshOauth() ([]byte, error) {
	auth, err := bt.basic.Authorization()
	if err != nil {
		return nil, err
	}

	u, err := url.Parse(bt.realm)
	if err != nil {
		return nil, err
	}

	v := url.Values{}
	v.Set("scope", strings.Join(bt.scopes, " "))
	v.Set("service", bt.service)
	v.Set("client_id", transportName)
	if auth.IdentityToken != "" {
		v.Set("grant_type", "refresh_token")
		v.Set("refresh_token", auth.IdentityToken)
	}

	client := http.Client{Transport: bt.inner}
	req, err := http.NewRequest(http.MethodPost, u.String(), strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	// We don't want to log credentials.
	ctx := redactNewContext(req.Context(), "oauth token response contains credentials")

	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	if err := CheckError(resp, http.StatusOK); err != nil {
		return nil, err
	}

	return io.ReadAll(resp.Body)
}

// https://docs.docker.com/registry/spec/auth/token/
func (bt *bearerTransport) refreshBasic() ([]byte, error) {
	u, err := url.Parse(bt.realm)
	if err != nil {
		return nil, err
	}
	b := &basicTransport{
		inner:  bt.inner,
		auth:   bt.basic,
		target: u.Host,
	}
	client := http.Client{Transport: b}

	v := u.Query()
	v["scope"] = bt.scopes
	v.Set("service", bt.service)
	u.RawQuery = v.Encode()

	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}

	// We don't want to log credentials.
	ctx := redactNewContext(req.Context(), "basic token response contains credentials")

	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	if err := CheckError(resp, http.StatusOK); err != nil {
		return nil, err
	}

	return io.ReadAll(resp.Body)
}
