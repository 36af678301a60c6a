// Recall case sd-headscale-oidcprovider
// Source: github.com/juanfont/headscale commit 5aeeff98d0130f6e075b42e6050d0c02de8b9a94 (hscontrol/oidc.go, hscontrol/app.go)
// Link: https://github.com/juanfont/headscale/commit/5aeeff98d0130f6e075b42e6050d0c02de8b9a94
// Bug: NewHeadscale gives NewAuthProviderOIDC a 30s context, but NewAuthProviderOIDC calls oidc.NewProvider(context.Background(), issuer), so discovery of an unreachable issuer hangs serve/configtest forever instead of timing out.
// Fix: pass the caller ctx to oidc.NewProvider.
// Rule: sharedeadline
package hscontrol

// Stand-in for github.com/coreos/go-oidc/v3/oidc and golang.org/x/oauth2: NewProvider
// GETs <issuer>/.well-known/openid-configuration with a request bound to ctx, using
// http.DefaultClient (go-oidc uses the client stored in ctx, else http.DefaultClient).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Endpoint mirrors oauth2.Endpoint.
type Endpoint struct {
	AuthURL  string
	TokenURL string
}

// OAuth2Config mirrors oauth2.Config.
type OAuth2Config struct {
	ClientID     string
	ClientSecret string
	Endpoint     Endpoint
	RedirectURL  string
	Scopes       []string
}

// Provider mirrors oidc.Provider.
type Provider struct {
	issuer      string
	authURL     string
	tokenURL    string
	jwksURL     string
	userInfoURL string
}

type providerJSON struct {
	Issuer      string `json:"issuer"`
	AuthURL     string `json:"authorization_endpoint"`
	TokenURL    string `json:"token_endpoint"`
	JWKSURL     string `json:"jwks_uri"`
	UserInfoURL string `json:"userinfo_endpoint"`
}

// NewProvider mirrors oidc.NewProvider.
func NewProvider(ctx context.Context, issuer string) (*Provider, error) {
	wellKnown := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, wellKnown, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("unable to read response body: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", resp.Status, body)
	}

	var p providerJSON
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("oidc: failed to decode provider discovery object: %w", err)
	}
	if p.Issuer != issuer {
		return nil, fmt.Errorf("oidc: issuer did not match the issuer returned by provider, expected %q got %q", issuer, p.Issuer)
	}
	return &Provider{
		issuer:      p.Issuer,
		authURL:     p.AuthURL,
		tokenURL:    p.TokenURL,
		jwksURL:     p.JWKSURL,
		userInfoURL: p.UserInfoURL,
	}, nil
}

// Endpoint mirrors oidc.Provider.Endpoint.
func (p *Provider) Endpoint() Endpoint {
	return Endpoint{AuthURL: p.authURL, TokenURL: p.tokenURL}
}
