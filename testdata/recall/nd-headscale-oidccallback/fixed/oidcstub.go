// Recall case nd-headscale-oidccallback
// Source: github.com/juanfont/headscale commit 52073ce7c984ab8973b6800a08486490b398bb6d (oidc.go)
// Link: https://github.com/juanfont/headscale/commit/52073ce7c984ab8973b6800a08486490b398bb6d
// Bug: the OIDCCallback handler calls getIDTokenForOIDCCallback / verifyIDTokenForOIDCCallback, which run oauth2Config.Exchange and verifier.Verify (HTTP calls to the IdP over http.DefaultClient) with context.Background(), so a stalled IdP blocks the handler forever and client disconnects are ignored.
// Fix: thread req.Context() into both helpers and pass it to Exchange and Verify.
// Rule: nodeadline
package headscale

// Stand-in for golang.org/x/oauth2 and github.com/coreos/go-oidc/v3/oidc.
// Exchange POSTs to the token endpoint and Verify fetches the JWKS, both with a
// request bound to ctx and http.DefaultClient, as the real libraries do when the
// context carries no custom *http.Client.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
}

// Token mirrors oauth2.Token.
type Token struct {
	AccessToken string
	raw         map[string]any
}

// Extra mirrors oauth2.Token.Extra.
func (t *Token) Extra(key string) any { return t.raw[key] }

// Exchange mirrors oauth2.Config.Exchange.
func (c *OAuth2Config) Exchange(ctx context.Context, code string) (*Token, error) {
	v := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {c.RedirectURL},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint.TokenURL, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.ClientSecret))

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("oauth2: cannot fetch token: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("oauth2: cannot fetch token: %s", resp.Status)
	}
	raw := map[string]any{}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	at, _ := raw["access_token"].(string)
	return &Token{AccessToken: at, raw: raw}, nil
}

// Provider mirrors oidc.Provider.
type Provider struct {
	issuer  string
	jwksURL string
}

// VerifierConfig mirrors oidc.Config.
type VerifierConfig struct {
	ClientID string
}

// IDTokenVerifier mirrors oidc.IDTokenVerifier.
type IDTokenVerifier struct {
	issuer   string
	jwksURL  string
	clientID string
}

// IDToken mirrors oidc.IDToken.
type IDToken struct {
	Issuer  string
	Subject string
}

// Verifier mirrors oidc.Provider.Verifier.
func (p *Provider) Verifier(config *VerifierConfig) *IDTokenVerifier {
	return &IDTokenVerifier{issuer: p.issuer, jwksURL: p.jwksURL, clientID: config.ClientID}
}

// Verify mirrors oidc.IDTokenVerifier.Verify: it fetches the remote key set under ctx.
func (v *IDTokenVerifier) Verify(ctx context.Context, rawIDToken string) (*IDToken, error) {
	parts := strings.Split(rawIDToken, ".")
	if len(parts) != 3 {
		return nil, errors.New("oidc: malformed jwt")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("oidc: malformed jwt payload: %w", err)
	}
	var claims struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, err
	}
	if claims.Iss != v.issuer {
		return nil, fmt.Errorf("oidc: id token issued by a different provider, expected %q got %q", v.issuer, claims.Iss)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.jwksURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oidc: get keys failed: %w", err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return nil, fmt.Errorf("oidc: get keys failed: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("oidc: get keys failed: %s", resp.Status)
	}
	return &IDToken{Issuer: claims.Iss, Subject: claims.Sub}, nil
}
