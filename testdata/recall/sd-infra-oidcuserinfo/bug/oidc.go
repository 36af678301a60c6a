// Recall case sd-infra-oidcuserinfo
// Source: github.com/infrahq/infra commit 394311131a4fc05ae827f61dd65ad240acf3ed19 (internal/server/authn/oidc.go)
// Link: https://github.com/infrahq/infra/commit/394311131a4fc05ae827f61dd65ad240acf3ed19
// Bug: oidcImplementation.GetUserInfo starts its own budget with context.WithTimeout(context.Background(), oidcProviderRequestTimeout), so the identity-provider calls made while serving an API request ignore that request's context (client cancel / request deadline).
// Fix: GetUserInfo (and the OIDC interface) take the caller's ctx and derive the timeout from it; UpdateIdentityInfoFromProvider passes the request context.
// Rule: sharedeadline
package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

const oidcProviderRequestTimeout = time.Second * 10

type ProviderUser struct {
	ProviderID  string
	AccessToken string
}

type InfoClaims struct {
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	Groups []string `json:"groups"`
}

type OIDC interface {
	GetUserInfo(providerUser *ProviderUser) (*InfoClaims, error)
}

type oidcImplementation struct {
	Domain string
	client *http.Client
}

func NewOIDC(domain string) OIDC {
	return &oidcImplementation{Domain: domain, client: &http.Client{}}
}

// provider is a reduced stand-in for go-oidc's *oidc.Provider.
type provider struct {
	UserInfoURL string `json:"userinfo_endpoint"`
	client      *http.Client
}

func (p *provider) UserInfo(ctx context.Context, accessToken string) (*InfoClaims, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.UserInfoURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s", resp.Status)
	}
	claims := &InfoClaims{}
	if err := json.NewDecoder(resp.Body).Decode(claims); err != nil {
		return nil, err
	}
	return claims, nil
}

// clientConfig fetches the provider's discovery document (stand-in for oidc.NewProvider).
func (o *oidcImplementation) clientConfig(ctx context.Context) (*provider, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("https://%s/.well-known/openid-configuration", o.Domain), nil)
	if err != nil {
		return nil, err
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get provider openid info: %w", err)
	}
	defer resp.Body.Close()
	p := &provider{client: o.client}
	if err := json.NewDecoder(resp.Body).Decode(p); err != nil {
		return nil, fmt.Errorf("get provider openid info: %w", err)
	}
	return p, nil
}

// GetUserInfo uses a provider token to get the current information about a user,
// make sure an access token is valid (not expired) before using this
func (o *oidcImplementation) GetUserInfo(providerUser *ProviderUser) (*InfoClaims, error) {
	ctx, cancel := context.WithTimeout(context.Background(), oidcProviderRequestTimeout)
	defer cancel()

	provider, err := o.clientConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("user info client: %w", err)
	}

	claims, err := provider.UserInfo(ctx, providerUser.AccessToken)
	if err != nil {
		return nil, fmt.Errorf("get user info: %w", err)
	}

	if claims.Email == "" && claims.Name == "" {
		return nil, errors.New("required user info not received, name or email are required, the user may have been deleted")
	}
	return claims, nil
}

// UpdateIdentityInfoFromProvider calls the identity provider used to authenticate this user session to update their current information
func UpdateIdentityInfoFromProvider(r *http.Request, oidc OIDC, providerUser *ProviderUser) (*InfoClaims, error) {
	if providerUser == nil {
		return nil, errors.New("user does not have session with an identity provider")
	}

	// get current identity provider groups
	info, err := oidc.GetUserInfo(providerUser)
	if err != nil {
		return nil, fmt.Errorf("get user info: %w", err)
	}
	return info, nil
}
