// Recall case nd-pocketbase-twitchuserinfo
// Source: github.com/pocketbase/pocketbase commit 64bbd6f841a3c4d23eae69c166ddb9e30a4e7a19 (tools/auth/twitch.go)
// Link: https://github.com/pocketbase/pocketbase/commit/64bbd6f841a3c4d23eae69c166ddb9e30a4e7a19
// Bug: Twitch.FetchRawUserInfo builds the user-info request with http.NewRequest (no context), ignoring the provider ctx set by the caller via SetContext; the oauth2-style client has no Timeout, so the call to the Twitch API can hang without any deadline.
// Fix: The request is created with http.NewRequestWithContext(p.ctx, ...), like BaseProvider.FetchRawUserInfo.
// Rule: nodeadline
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Token stands in for oauth2.Token.
type Token struct {
	AccessToken  string
	RefreshToken string
}

// bearerTransport stands in for the oauth2.Transport returned by oauth2.Config.Client.
type bearerTransport struct {
	token *Token
	base  http.RoundTripper
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+t.token.AccessToken)
	return t.base.RoundTrip(r)
}

// BaseProvider defines common fields and methods used by OAuth2 client providers.
type BaseProvider struct {
	ctx         context.Context
	clientId    string
	displayName string
	userInfoURL string
	scopes      []string
	pkce        bool
}

// Context implements Provider.Context() interface method.
func (p *BaseProvider) Context() context.Context {
	return p.ctx
}

// SetContext implements Provider.SetContext() interface method.
func (p *BaseProvider) SetContext(ctx context.Context) {
	p.ctx = ctx
}

// Client implements Provider.Client() interface method.
func (p *BaseProvider) Client(token *Token) *http.Client {
	return &http.Client{Transport: &bearerTransport{token: token, base: http.DefaultTransport}}
}

// FetchRawUserInfo implements Provider.FetchRawUserInfo() interface method.
func (p *BaseProvider) FetchRawUserInfo(token *Token) ([]byte, error) {
	req, err := http.NewRequestWithContext(p.ctx, "GET", p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}

	return p.sendRawUserInfoRequest(req, token)
}

// sendRawUserInfoRequest sends the specified user info request and return its raw response body.
func (p *BaseProvider) sendRawUserInfoRequest(req *http.Request, token *Token) ([]byte, error) {
	client := p.Client(token)

	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()

	result, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}

	if res.StatusCode >= 400 {
		return nil, fmt.Errorf(
			"failed to fetch OAuth2 user profile via %s (%d):\n%s",
			p.userInfoURL,
			res.StatusCode,
			string(result),
		)
	}

	return result, nil
}

// Twitch allows authentication via Twitch OAuth2.
type Twitch struct {
	BaseProvider
}

// NewTwitchProvider creates new Twitch provider instance with some defaults.
func NewTwitchProvider() *Twitch {
	return &Twitch{BaseProvider{
		ctx:         context.Background(),
		displayName: "Twitch",
		pkce:        true,
		scopes:      []string{"user:read:email"},
		userInfoURL: "https://api.twitch.tv/helix/users",
	}}
}

// AuthUser is the normalized user returned by providers.
type AuthUser struct {
	Id       string
	Name     string
	Username string
	Email    string
}

// FetchAuthUser returns an AuthUser instance based the Twitch's user api.
func (p *Twitch) FetchAuthUser(token *Token) (*AuthUser, error) {
	data, err := p.FetchRawUserInfo(token)
	if err != nil {
		return nil, err
	}

	extracted := struct {
		Data []struct {
			Id          string `json:"id"`
			Login       string `json:"login"`
			DisplayName string `json:"display_name"`
			Email       string `json:"email"`
		} `json:"data"`
	}{}
	if err := json.Unmarshal(data, &extracted); err != nil {
		return nil, err
	}

	if len(extracted.Data) == 0 {
		return nil, errors.New("Failed to fetch AuthUser data")
	}

	return &AuthUser{
		Id:       extracted.Data[0].Id,
		Name:     extracted.Data[0].DisplayName,
		Username: extracted.Data[0].Login,
		Email:    extracted.Data[0].Email,
	}, nil
}

// FetchRawUserInfo implements Provider.FetchRawUserInfo interface.
//
// This differ from baseProvider because Twitch requires the `Client-Id` header.
func (p *Twitch) FetchRawUserInfo(token *Token) ([]byte, error) {
	req, err := http.NewRequestWithContext(p.ctx, "GET", p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}

	req.Header.Set("Client-Id", p.clientId)

	return p.sendRawUserInfoRequest(req, token)
}
