// Recall case sd-gophercloud-reauth
// Source: github.com/gophercloud/gophercloud commit eaadf19ab8a04e0957457eaa8dead6ddafe504cf (provider_client.go)
// Link: https://github.com/gophercloud/gophercloud/commit/eaadf19ab8a04e0957457eaa8dead6ddafe504cf
// Bug: ProviderClient.doRequest(ctx, ...) handles a 401 by calling Reauthenticate(prereqtok), which runs ReauthFunc with its own ctx := context.TODO(), so the token re-issue HTTP call ignores the caller's deadline/cancellation
// Fix: Reauthenticate takes ctx as first argument and doRequest passes its ctx: client.Reauthenticate(ctx, prereqtok)
// Rule: sharedeadline
package gophercloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Reduced from provider_client.go: user agent, retry/backoff, 429 handling, the
// per-status error types and the reauthmut/reauthFuture machinery are cut; the
// 401 -> Reauthenticate -> ReauthFunc chain is kept.

// ProviderClient stores details that are required to interact with any
// services within a specific provider's API.
type ProviderClient struct {
	// IdentityEndpoint is the identity endpoint.
	IdentityEndpoint string

	// TokenID is the ID of the most recently issued valid token.
	TokenID string

	// HTTPClient allows users to interject arbitrary http, https, or other transit behaviors.
	HTTPClient http.Client

	// ReauthFunc is the function used to re-authenticate the user if the request
	// fails with a 401 HTTP response code.
	ReauthFunc func(context.Context) error

	// Throwaway determines whether if this client is a throw-away client.
	Throwaway bool

	mut *sync.RWMutex
}

// AuthenticatedHeaders returns a map of HTTP headers that are common for all
// authenticated service requests.
func (client *ProviderClient) AuthenticatedHeaders() (m map[string]string) {
	if client.IsThrowaway() {
		return
	}
	t := client.Token()
	if t == "" {
		return
	}
	return map[string]string{"X-Auth-Token": t}
}

// UseTokenLock creates a mutex that is used to allow safe concurrent access to the auth token.
func (client *ProviderClient) UseTokenLock() {
	client.mut = new(sync.RWMutex)
}

// Token safely reads the value of the auth token from the ProviderClient.
func (client *ProviderClient) Token() string {
	if client.mut != nil {
		client.mut.RLock()
		defer client.mut.RUnlock()
	}
	return client.TokenID
}

// SetToken safely sets the value of the auth token in the ProviderClient.
func (client *ProviderClient) SetToken(t string) {
	if client.mut != nil {
		client.mut.Lock()
		defer client.mut.Unlock()
	}
	client.TokenID = t
}

// CopyTokenFrom safely copies the token from another ProviderClient into the this one.
func (client *ProviderClient) CopyTokenFrom(other *ProviderClient) {
	if client.mut != nil {
		client.mut.Lock()
		defer client.mut.Unlock()
	}
	if other.mut != nil && other.mut != client.mut {
		other.mut.RLock()
		defer other.mut.RUnlock()
	}
	client.TokenID = other.TokenID
}

// IsThrowaway safely reads the value of the client Throwaway field.
func (client *ProviderClient) IsThrowaway() bool {
	if client.mut != nil {
		client.mut.RLock()
		defer client.mut.RUnlock()
	}
	return client.Throwaway
}

// SetThrowaway safely sets the value of the client Throwaway field.
func (client *ProviderClient) SetThrowaway(v bool) {
	if client.mut != nil {
		client.mut.Lock()
		defer client.mut.Unlock()
	}
	client.Throwaway = v
}

// Reauthenticate calls client.ReauthFunc in a thread-safe way. If this is
// called because of a 401 response, the caller may pass the previous token. In
// this case, the reauthentication can be skipped if another thread has already
// reauthenticated in the meantime. If no previous token is known, an empty
// string should be passed instead to force unconditional reauthentication.
func (client *ProviderClient) Reauthenticate(previousToken string) error {
	ctx := context.TODO()

	if client.ReauthFunc == nil {
		return nil
	}

	// (upstream: the reauthmut/reauthFuture de-duplication of concurrent
	// reauthentications is cut from this reduction)
	var err error
	if previousToken == "" || client.Token() == previousToken {
		err = client.ReauthFunc(ctx)
	}
	return err
}

// RequestOpts customizes the behavior of the provider.Request() method.
type RequestOpts struct {
	JSONBody     interface{}
	JSONResponse interface{}
	OkCodes      []int
	MoreHeaders  map[string]string
}

type requestState struct {
	hasReauthenticated bool
}

var applicationJSON = "application/json"

// ErrUnexpectedResponseCode is returned by the Request method when a response code other than
// those listed in OkCodes is encountered.
type ErrUnexpectedResponseCode struct {
	URL      string
	Method   string
	Expected []int
	Actual   int
	Body     []byte
}

func (e ErrUnexpectedResponseCode) Error() string {
	return fmt.Sprintf("Expected HTTP response code %v when accessing [%s %s], but got %d instead: %s",
		e.Expected, e.Method, e.URL, e.Actual, e.Body)
}

// ErrUnableToReauthenticate is the error type returned when reauthentication fails.
type ErrUnableToReauthenticate struct {
	ErrOriginal error
	ErrReauth   error
}

func (e ErrUnableToReauthenticate) Error() string {
	return fmt.Sprintf("Unable to re-authenticate: %s: %s", e.ErrOriginal, e.ErrReauth)
}

// ErrErrorAfterReauthentication is the error type returned when reauthentication
// succeeds, but an error occurs afterword (usually an HTTP error).
type ErrErrorAfterReauthentication struct {
	ErrOriginal error
}

func (e ErrErrorAfterReauthentication) Error() string {
	return fmt.Sprintf("Successfully re-authenticated, but got error executing request: %s", e.ErrOriginal)
}

// RequestWithContext performs an HTTP request using the ProviderClient's
// current HTTPClient. An authentication header will automatically be provided.
func (client *ProviderClient) RequestWithContext(ctx context.Context, method, url string, options *RequestOpts) (*http.Response, error) {
	return client.doRequest(ctx, method, url, options, &requestState{
		hasReauthenticated: false,
	})
}

func (client *ProviderClient) doRequest(ctx context.Context, method, url string, options *RequestOpts, state *requestState) (*http.Response, error) {
	var body io.Reader
	var contentType *string

	if options.JSONBody != nil {
		rendered, err := json.Marshal(options.JSONBody)
		if err != nil {
			return nil, err
		}

		body = bytes.NewReader(rendered)
		contentType = &applicationJSON
	}

	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}

	if contentType != nil {
		req.Header.Set("Content-Type", *contentType)
	}
	req.Header.Set("Accept", applicationJSON)

	for k, v := range options.MoreHeaders {
		req.Header.Set(k, v)
	}

	// get latest token from client
	for k, v := range client.AuthenticatedHeaders() {
		req.Header.Set(k, v)
	}

	prereqtok := req.Header.Get("X-Auth-Token")

	// Issue the request.
	resp, err := client.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}

	okc := options.OkCodes
	if okc == nil {
		okc = []int{http.StatusOK}
	}

	var ok bool
	for _, code := range okc {
		if resp.StatusCode == code {
			ok = true
			break
		}
	}

	if !ok {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		respErr := ErrUnexpectedResponseCode{
			URL:      url,
			Method:   method,
			Expected: okc,
			Actual:   resp.StatusCode,
			Body:     body,
		}

		switch resp.StatusCode {
		case http.StatusUnauthorized:
			if client.ReauthFunc != nil && !state.hasReauthenticated {
				err = client.Reauthenticate(prereqtok)
				if err != nil {
					e := &ErrUnableToReauthenticate{}
					e.ErrOriginal = respErr
					e.ErrReauth = err
					return nil, e
				}
				state.hasReauthenticated = true
				resp, err = client.doRequest(ctx, method, url, options, state)
				if err != nil {
					e := &ErrErrorAfterReauthentication{}
					e.ErrOriginal = err
					return nil, e
				}
				return resp, nil
			}
			return nil, respErr
		default:
			return nil, respErr
		}
	}

	if options.JSONResponse != nil {
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusNoContent {
			return resp, nil
		}
		if err := json.NewDecoder(resp.Body).Decode(options.JSONResponse); err != nil {
			return nil, err
		}
	}

	return resp, nil
}

var errMissingToken = errors.New("identity response carried no X-Subject-Token")
