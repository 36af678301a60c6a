// Recall case nd-oauth2proxy-validatetoken
// Source: github.com/oauth2-proxy/oauth2-proxy commit e642daef4efcf5199466ef9abe3b0f00ff7c614c (pkg/requests/requests.go, providers/internal_util.go)
// Link: https://github.com/oauth2-proxy/oauth2-proxy/commit/e642daef4efcf5199466ef9abe3b0f00ff7c614c
// Bug: Token validation issues a GET to the provider's ValidateURL via http.NewRequest (context.Background) on http.DefaultClient, which has no Timeout, so a stalled identity provider blocks the proxied request indefinitely and ignores the incoming request's cancellation.
// Fix: The request context is threaded through ValidateSessionState/validateToken into RequestUnparsedResponse, which now uses http.NewRequestWithContext(ctx, ...).
// Rule: nodeadline
package providers

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
)

// ---- pkg/requests ----

// RequestUnparsedResponse performs a GET and returns the raw response object
func RequestUnparsedResponse(ctx context.Context, url string, header http.Header) (resp *http.Response, err error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, fmt.Errorf("error performing get request: %w", err)
	}
	req.Header = header

	return http.DefaultClient.Do(req)
}

// ---- providers ----

// SessionState is a minimal stand-in for sessions.SessionState.
type SessionState struct {
	AccessToken string
	Email       string
}

// ProviderData holds the provider configuration.
type ProviderData struct {
	ProviderName string
	ValidateURL  *url.URL
}

// Provider represents an upstream identity provider implementation
type Provider interface {
	Data() *ProviderData
	ValidateSessionState(ctx context.Context, s *SessionState) bool
}

var _ Provider = (*ProviderData)(nil)

// Data returns the ProviderData.
func (p *ProviderData) Data() *ProviderData { return p }

func stripToken(endpoint string) string {
	if i := strings.Index(endpoint, "access_token="); i >= 0 {
		return endpoint[:i] + "access_token=..."
	}
	return endpoint
}

// validateToken returns true if token is valid
func validateToken(ctx context.Context, p Provider, accessToken string, header http.Header) bool {
	if accessToken == "" || p.Data().ValidateURL == nil || p.Data().ValidateURL.String() == "" {
		return false
	}
	endpoint := p.Data().ValidateURL.String()
	if len(header) == 0 {
		params := url.Values{"access_token": {accessToken}}
		endpoint = endpoint + "?" + params.Encode()
	}
	resp, err := RequestUnparsedResponse(ctx, endpoint, header)
	if err != nil {
		log.Printf("GET %s", stripToken(endpoint))
		log.Printf("token validation request failed: %s", err)
		return false
	}

	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	log.Printf("%d GET %s %s", resp.StatusCode, stripToken(endpoint), body)

	if resp.StatusCode == 200 {
		return true
	}
	log.Printf("token validation request failed: status %d - %s", resp.StatusCode, body)
	return false
}

// ValidateSessionState validates the AccessToken
func (p *ProviderData) ValidateSessionState(ctx context.Context, s *SessionState) bool {
	return validateToken(ctx, p, s.AccessToken, nil)
}

// ---- oauthproxy.go ----

// OAuthProxy is a minimal stand-in for the proxy.
type OAuthProxy struct {
	provider Provider
}

// getAuthenticatedSession mirrors the session revalidation step of oauthproxy.go.
func (p *OAuthProxy) getAuthenticatedSession(rw http.ResponseWriter, req *http.Request, session *SessionState) (*SessionState, bool) {
	saveSession := true
	clearSession := false
	if saveSession && session != nil && session.AccessToken != "" {
		if !p.provider.ValidateSessionState(req.Context(), session) {
			log.Printf("Removing session: error validating %s", session.Email)
			saveSession = false
			session = nil
			clearSession = true
		}
	}
	return session, clearSession
}
