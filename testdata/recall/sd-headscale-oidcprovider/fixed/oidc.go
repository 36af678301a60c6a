// Recall case sd-headscale-oidcprovider
// Source: github.com/juanfont/headscale commit 5aeeff98d0130f6e075b42e6050d0c02de8b9a94 (hscontrol/oidc.go, hscontrol/app.go)
// Link: https://github.com/juanfont/headscale/commit/5aeeff98d0130f6e075b42e6050d0c02de8b9a94
// Bug: NewHeadscale gives NewAuthProviderOIDC a 30s context, but NewAuthProviderOIDC calls oidc.NewProvider(context.Background(), issuer), so discovery of an unreachable issuer hangs serve/configtest forever instead of timing out.
// Fix: pass the caller ctx to oidc.NewProvider.
// Rule: sharedeadline
package hscontrol

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"
)

// OIDCConfig mirrors types.OIDCConfig.
type OIDCConfig struct {
	Issuer                     string
	ClientID                   string
	ClientSecret               string
	Scope                      []string
	OnlyStartIfOIDCIsAvailable bool
}

// Config mirrors types.Config.
type Config struct {
	ServerURL string
	OIDC      OIDCConfig
}

// AuthProvider mirrors hscontrol.AuthProvider.
type AuthProvider interface {
	AuthURL(authID string) string
}

// AuthProviderWeb is the CLI-based fallback provider.
type AuthProviderWeb struct{ serverURL string }

func NewAuthProviderWeb(serverURL string) *AuthProviderWeb {
	return &AuthProviderWeb{serverURL: serverURL}
}

func (a *AuthProviderWeb) AuthURL(authID string) string {
	return strings.TrimSuffix(a.serverURL, "/") + "/register/" + authID
}

// Headscale is the control server.
type Headscale struct {
	cfg          *Config
	authProvider AuthProvider
}

// NewHeadscale builds the app; the OIDC provider setup is bounded to 30 seconds.
func NewHeadscale(cfg *Config) (*Headscale, error) {
	app := Headscale{cfg: cfg}

	var authProvider AuthProvider

	authProvider = NewAuthProviderWeb(cfg.ServerURL)
	if cfg.OIDC.Issuer != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()

		oidcProvider, err := NewAuthProviderOIDC(
			ctx,
			&app,
			cfg.ServerURL,
			&cfg.OIDC,
		)
		if err != nil {
			if cfg.OIDC.OnlyStartIfOIDCIsAvailable {
				return nil, err
			} else {
				log.Printf("failed to set up OIDC provider, falling back to CLI based authentication: %v", err)
			}
		} else {
			authProvider = oidcProvider
		}
	}

	app.authProvider = authProvider
	return &app, nil
}

// AuthProviderOIDC mirrors hscontrol.AuthProviderOIDC.
type AuthProviderOIDC struct {
	h         *Headscale
	serverURL string
	cfg       *OIDCConfig

	oidcProvider *Provider
	oauth2Config *OAuth2Config
}

func NewAuthProviderOIDC(
	ctx context.Context,
	h *Headscale,
	serverURL string,
	cfg *OIDCConfig,
) (*AuthProviderOIDC, error) {
	var err error
	// grab oidc config if it hasn't been already
	oidcProvider, err := NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("creating OIDC provider from issuer config: %w", err)
	}

	oauth2Config := &OAuth2Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint:     oidcProvider.Endpoint(),
		RedirectURL:  strings.TrimSuffix(serverURL, "/") + "/oidc/callback",
		Scopes:       cfg.Scope,
	}

	return &AuthProviderOIDC{
		h:         h,
		serverURL: serverURL,
		cfg:       cfg,

		oidcProvider: oidcProvider,
		oauth2Config: oauth2Config,
	}, nil
}

func (a *AuthProviderOIDC) AuthURL(authID string) string {
	return strings.TrimSuffix(a.serverURL, "/") + "/auth/" + authID
}
