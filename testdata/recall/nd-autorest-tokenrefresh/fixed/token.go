// Recall case nd-autorest-tokenrefresh
// Source: github.com/Azure/go-autorest commit 5cdef8c5dbd65369ef90f1b8d7ea2b7348ffc862 (autorest/adal/token.go, autorest/authorization.go)
// Link: https://github.com/Azure/go-autorest/commit/5cdef8c5dbd65369ef90f1b8d7ea2b7348ffc862
// Bug: BearerAuthorizer.WithAuthorization calls EnsureFresh -> refreshInternal, which builds the token request with http.NewRequest (no ctx) and sends it on &http.Client{} (no Timeout): the refresh can hang forever, ignoring the outgoing request's context.
// Fix: added EnsureFreshWithContext/refreshInternal(ctx, ...) with req.WithContext(ctx); WithAuthorization passes r.Context().
// Rule: nodeadline
package autorestnd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ---- adal ----

type Token struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresOn    int64  `json:"expires_on,string"`
}

func (t Token) WillExpireIn(d time.Duration) bool {
	return !time.Unix(t.ExpiresOn, 0).After(time.Now().Add(d))
}

// Sender is the interface that wraps the Do method to send HTTP requests.
type Sender interface {
	Do(*http.Request) (*http.Response, error)
}

type OAuthTokenProvider interface {
	OAuthToken() string
}

// Refresher is an interface for token refresh functionality
type Refresher interface {
	EnsureFresh() error
}

// RefresherWithContext is an interface for token refresh functionality
type RefresherWithContext interface {
	EnsureFreshWithContext(ctx context.Context) error
}

type ServicePrincipalToken struct {
	token         Token
	tokenEndpoint url.URL
	clientID      string
	clientSecret  string
	resource      string
	autoRefresh   bool
	refreshWithin time.Duration
	refreshLock   sync.RWMutex
	sender        Sender
}

func NewServicePrincipalToken(endpoint url.URL, clientID, secret, resource string) *ServicePrincipalToken {
	return &ServicePrincipalToken{
		tokenEndpoint: endpoint,
		clientID:      clientID,
		clientSecret:  secret,
		resource:      resource,
		autoRefresh:   true,
		refreshWithin: 5 * time.Minute,
		sender:        &http.Client{},
	}
}

func (spt *ServicePrincipalToken) OAuthToken() string {
	spt.refreshLock.RLock()
	defer spt.refreshLock.RUnlock()
	return spt.token.AccessToken
}

// EnsureFresh will refresh the token if it will expire within the refresh window.
func (spt *ServicePrincipalToken) EnsureFresh() error {
	return spt.EnsureFreshWithContext(context.Background())
}

// EnsureFreshWithContext will refresh the token if it will expire within the refresh window.
func (spt *ServicePrincipalToken) EnsureFreshWithContext(ctx context.Context) error {
	if spt.autoRefresh && spt.token.WillExpireIn(spt.refreshWithin) {
		spt.refreshLock.Lock()
		defer spt.refreshLock.Unlock()
		if spt.token.WillExpireIn(spt.refreshWithin) {
			return spt.refreshInternal(ctx, spt.resource)
		}
	}
	return nil
}

func (spt *ServicePrincipalToken) refreshInternal(ctx context.Context, resource string) error {
	req, err := http.NewRequest(http.MethodPost, spt.tokenEndpoint.String(), nil)
	if err != nil {
		return fmt.Errorf("adal: Failed to build the refresh request. Error = '%v'", err)
	}
	req = req.WithContext(ctx)

	v := url.Values{}
	v.Set("client_id", spt.clientID)
	v.Set("resource", resource)
	if spt.token.RefreshToken != "" {
		v.Set("grant_type", "refresh_token")
		v.Set("refresh_token", spt.token.RefreshToken)
	} else {
		v.Set("grant_type", "client_credentials")
		v.Set("client_secret", spt.clientSecret)
	}
	s := v.Encode()
	req.ContentLength = int64(len(s))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Body = io.NopCloser(strings.NewReader(s))

	resp, err := spt.sender.Do(req)
	if err != nil {
		return fmt.Errorf("adal: Failed to execute the refresh request. Error = '%v'", err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("adal: Refresh request failed. Status Code = '%d'", resp.StatusCode)
	}
	if err != nil {
		return fmt.Errorf("adal: Failed to read a new service principal token during refresh. Error = '%v'", err)
	}
	var token Token
	if err := json.Unmarshal(rb, &token); err != nil {
		return fmt.Errorf("adal: Failed to unmarshal the service principal token during refresh. Error = '%v'", err)
	}
	spt.token = token
	return nil
}

// ---- autorest ----

type Preparer interface {
	Prepare(*http.Request) (*http.Request, error)
}

type PreparerFunc func(*http.Request) (*http.Request, error)

func (pf PreparerFunc) Prepare(r *http.Request) (*http.Request, error) { return pf(r) }

type PrepareDecorator func(Preparer) Preparer

// BearerAuthorizer implements the bearer authorization
type BearerAuthorizer struct {
	tokenProvider OAuthTokenProvider
}

func NewBearerAuthorizer(tp OAuthTokenProvider) *BearerAuthorizer {
	return &BearerAuthorizer{tokenProvider: tp}
}

// WithAuthorization returns a PrepareDecorator that adds an HTTP Authorization header.
func (ba *BearerAuthorizer) WithAuthorization() PrepareDecorator {
	return func(p Preparer) Preparer {
		return PreparerFunc(func(r *http.Request) (*http.Request, error) {
			r, err := p.Prepare(r)
			if err == nil {
				// the ordering is important here, prefer RefresherWithContext if available
				if refresher, ok := ba.tokenProvider.(RefresherWithContext); ok {
					err = refresher.EnsureFreshWithContext(r.Context())
				} else if refresher, ok := ba.tokenProvider.(Refresher); ok {
					err = refresher.EnsureFresh()
				}
				if err != nil {
					return r, fmt.Errorf("azure.BearerAuthorizer#WithAuthorization: Failed to refresh the Token for request to %s: %w", r.URL, err)
				}
				r.Header.Set("Authorization", fmt.Sprintf("Bearer %s", ba.tokenProvider.OAuthToken()))
				return r, nil
			}
			return r, err
		})
	}
}
