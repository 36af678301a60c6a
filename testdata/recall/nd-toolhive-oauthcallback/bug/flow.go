// Recall case nd-toolhive-oauthcallback
// Source: github.com/stacklok/toolhive commit ccf6f3daff64d1d674ee96beb6a7847d63a71b30 (pkg/auth/oauth/flow.go)
// Link: https://github.com/stacklok/toolhive/commit/ccf6f3daff64d1d674ee96beb6a7847d63a71b30
// Bug: the OAuth callback handler exchanges the authorization code at the token endpoint with ctx := context.Background() over a client without timeout, so the outbound HTTP call has no deadline and ignores the callback request's cancellation.
// Fix: the exchange uses ctx := r.Context() (the request context) to respect cancellation.
// Rule: nodeadline
package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Token is a reduced stand-in for oauth2.Token.
type Token struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
}

// Oauth2Config is a reduced stand-in for oauth2.Config; Exchange posts to the token
// endpoint with http.DefaultClient (no Client.Timeout), like golang.org/x/oauth2 does.
type Oauth2Config struct {
	ClientID    string
	TokenURL    string
	RedirectURL string
}

func (c *Oauth2Config) Exchange(ctx context.Context, code string, opts ...url.Values) (*Token, error) {
	v := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"client_id":    {c.ClientID},
		"redirect_uri": {c.RedirectURL},
	}
	for _, o := range opts {
		for k, vals := range o {
			v[k] = vals
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token endpoint returned %s", resp.Status)
	}
	var tok Token
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return nil, err
	}
	return &tok, nil
}

type Config struct {
	UsePKCE  bool
	Resource string
}

type Flow struct {
	config       *Config
	oauth2Config *Oauth2Config
	server       *http.Server
	port         int

	// PKCE parameters
	codeVerifier  string
	codeChallenge string
	state         string
}

func (*Flow) writeErrorPage(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusBadRequest)
}

func (*Flow) writeSuccessPage(w http.ResponseWriter) {
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("Authentication successful. You may close this window."))
}

func (f *Flow) handleCallback(tokenChan chan<- *Token, errorChan chan<- error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		query := r.URL.Query()

		if errParam := query.Get("error"); errParam != "" {
			err := fmt.Errorf("OAuth error: %s - %s", errParam, query.Get("error_description"))
			f.writeErrorPage(w, err)
			errorChan <- err
			return
		}

		state := query.Get("state")
		if state != f.state {
			err := errors.New("invalid state parameter")
			f.writeErrorPage(w, err)
			errorChan <- err
			return
		}

		code := query.Get("code")
		if code == "" {
			err := errors.New("missing authorization code")
			f.writeErrorPage(w, err)
			errorChan <- err
			return
		}

		// Exchange code for token
		ctx := context.Background()
		opts := []url.Values{}

		// Add PKCE verifier if enabled
		if f.config.UsePKCE {
			opts = append(opts, url.Values{"code_verifier": {f.codeVerifier}})
		}
		if f.config.Resource != "" {
			opts = append(opts, url.Values{"resource": {f.config.Resource}})
		}

		token, err := f.oauth2Config.Exchange(ctx, code, opts...)
		if err != nil {
			err = fmt.Errorf("failed to exchange code for token: %w", err)
			f.writeErrorPage(w, err)
			errorChan <- err
			return
		}

		f.writeSuccessPage(w)
		tokenChan <- token
	}
}
