// Recall case sd-pinniped-cli-auth-timeout
// Source: github.com/vmware-tanzu/pinniped commit 9ca72fcd30165d244c6bf707f3f358c5b741fc26 (pkg/oidcclient/login.go)
// Link: https://github.com/vmware-tanzu/pinniped/commit/9ca72fcd30165d244c6bf707f3f358c5b741fc26
// Bug: cliBasedAuth builds its authorize and token-exchange request contexts with context.WithTimeout(context.Background(), httpRequestTimeout), ignoring h.ctx which carries the caller's context and the overall login timeout.
// Fix: both request contexts are derived from h.ctx (context.WithTimeout(h.ctx, httpRequestTimeout)).
// Rule: sharedeadline
package oidcclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// httpRequestTimeout is the timeout for operations that involve one (or a few) non-interactive HTTPS requests.
	httpRequestTimeout = 60 * time.Second

	// overallTimeout is the overall time that a login is allowed to take.
	overallTimeout = 90 * time.Minute

	supervisorAuthorizeUpstreamUsernameHeader = "Pinniped-Username"
	supervisorAuthorizeUpstreamPasswordHeader = "Pinniped-Password"
)

type Token struct {
	AccessToken string
	IDToken     string
}

// provider is a stand-in for the upstream OIDC provider client that performs
// the code exchange over HTTP.
type provider struct {
	tokenURL   string
	httpClient *http.Client
}

func (p *provider) ExchangeAuthcodeAndValidateTokens(ctx context.Context, authCode string, redirectURI string) (*Token, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {authCode}, "redirect_uri": {redirectURI}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token exchange failed: %s", resp.Status)
	}
	return &Token{AccessToken: "from-" + p.tokenURL}, nil
}

type handlerState struct {
	ctx          context.Context
	authorizeURL string
	redirectURL  string
	httpClient   *http.Client
	provider     *provider

	promptForValue  func(ctx context.Context, prompt string) (string, error)
	promptForSecret func(prompt string) (string, error)
}

// Login performs a CLI-based (LDAP) login against the Supervisor.
func Login(ctx context.Context, authorizeURL, tokenURL, redirectURL string, httpClient *http.Client) (*Token, error) {
	h := handlerState{
		ctx:          ctx,
		authorizeURL: authorizeURL,
		redirectURL:  redirectURL,
		promptForValue: func(ctx context.Context, prompt string) (string, error) {
			return "user", nil
		},
		promptForSecret: func(prompt string) (string, error) { return "pass", nil },
	}

	// Copy the configured HTTP client to set a request timeout.
	httpClientWithTimeout := *httpClient
	httpClientWithTimeout.Timeout = httpRequestTimeout
	h.httpClient = &httpClientWithTimeout
	h.provider = &provider{tokenURL: tokenURL, httpClient: h.httpClient}

	// Always set a long, but non-infinite timeout for this operation.
	ctx, cancel := context.WithTimeout(h.ctx, overallTimeout)
	defer cancel()
	h.ctx = ctx

	return h.baseLogin()
}

func (h *handlerState) baseLogin() (*Token, error) {
	return h.cliBasedAuth()
}

func (h *handlerState) cliBasedAuth() (*Token, error) {
	// Ask the user for their username and password.
	username, err := h.promptForValue(h.ctx, "Username: ")
	if err != nil {
		return nil, fmt.Errorf("error prompting for username: %w", err)
	}
	password, err := h.promptForSecret("Password: ")
	if err != nil {
		return nil, fmt.Errorf("error prompting for password: %w", err)
	}

	// Don't follow redirects automatically because we want to handle redirects here.
	h.httpClient.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		return http.ErrUseLastResponse
	}

	// Send an authorize request.
	authCtx, authorizeCtxCancelFunc := context.WithTimeout(context.Background(), httpRequestTimeout)
	defer authorizeCtxCancelFunc()
	authReq, err := http.NewRequestWithContext(authCtx, http.MethodGet, h.authorizeURL, nil)
	if err != nil {
		return nil, fmt.Errorf("could not build authorize request: %w", err)
	}
	authReq.Header.Set(supervisorAuthorizeUpstreamUsernameHeader, username)
	authReq.Header.Set(supervisorAuthorizeUpstreamPasswordHeader, password)
	authRes, err := h.httpClient.Do(authReq)
	if err != nil {
		return nil, fmt.Errorf("authorization response error: %w", err)
	}
	_ = authRes.Body.Close()

	// A successful authorization always results in a 302.
	if authRes.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("error getting authorization: expected to be redirected, but response status was %s", authRes.Status)
	}
	location, err := url.Parse(authRes.Header.Get("Location"))
	if err != nil {
		return nil, fmt.Errorf("error getting authorization: could not parse redirect location: %w", err)
	}
	authCode := location.Query().Get("code")
	if authCode == "" {
		return nil, errors.New("login failed: no code")
	}

	// Exchange the authorization code for access, ID, and refresh tokens.
	tokenCtx, tokenCtxCancelFunc := context.WithTimeout(context.Background(), httpRequestTimeout)
	defer tokenCtxCancelFunc()
	token, err := h.provider.ExchangeAuthcodeAndValidateTokens(tokenCtx, authCode, h.redirectURL)
	if err != nil {
		return nil, fmt.Errorf("error during authorization code exchange: %w", err)
	}

	return token, nil
}
