// Recall case sc-oidc-fetchkeys
// Source: github.com/coreos/go-oidc commit f0117a5f178cb36710dde42ede2154071b20ee94 (oidc/jwks.go)
// Link: https://github.com/coreos/go-oidc/commit/f0117a5f178cb36710dde42ede2154071b20ee94
// Bug: RemoteKeySet.verify wraps the keysFromRemote error (ctx.Err() / doRequest error from updateKeys) with fmt.Errorf("fetching keys %v"), so context.Canceled / DeadlineExceeded become an opaque error that errors.Is cannot see
// Fix: verify and updateKeys wrap with %w instead of %v
// Rule: swallowcancel
package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// contextKey / httpClientKey stand in for oauth2.HTTPClient.
type contextKey int

var httpClientKey contextKey

func getClient(ctx context.Context) *http.Client {
	if c, ok := ctx.Value(httpClientKey).(*http.Client); ok {
		return c
	}
	return nil
}

func doRequest(ctx context.Context, req *http.Request) (*http.Response, error) {
	client := http.DefaultClient
	if c := getClient(ctx); c != nil {
		client = c
	}
	return client.Do(req.WithContext(ctx))
}

// JSONWebKey is a reduced stand-in for jose.JSONWebKey.
type JSONWebKey struct {
	KeyID string `json:"kid"`
	Key   string `json:"k"`
}

// JSONWebKeySet is a reduced stand-in for jose.JSONWebKeySet.
type JSONWebKeySet struct {
	Keys []JSONWebKey `json:"keys"`
}

// JSONWebSignature is a reduced stand-in for jose.JSONWebSignature.
type JSONWebSignature struct {
	KeyID     string
	Signature string
	Payload   []byte
}

// Verify is a reduced stand-in for jose's signature check.
func (j *JSONWebSignature) Verify(key *JSONWebKey) ([]byte, error) {
	if key.Key != j.Signature {
		return nil, errors.New("square/go-jose: error in cryptographic primitive")
	}
	return j.Payload, nil
}

// NewRemoteKeySet returns a KeySet that can validate JSON web tokens by using HTTP
// GETs to fetch JSON web token sets hosted at a remote URL.
func NewRemoteKeySet(ctx context.Context, jwksURL string) *RemoteKeySet {
	return newRemoteKeySet(ctx, jwksURL, time.Now)
}

func newRemoteKeySet(ctx context.Context, jwksURL string, now func() time.Time) *RemoteKeySet {
	if now == nil {
		now = time.Now
	}
	return &RemoteKeySet{jwksURL: jwksURL, ctx: ctx, now: now}
}

// RemoteKeySet is a KeySet implementation that validates JSON web tokens against
// a jwks_uri endpoint.
type RemoteKeySet struct {
	jwksURL string
	ctx     context.Context
	now     func() time.Time

	// guard all other fields
	mu sync.RWMutex

	// inflight suppresses parallel execution of updateKeys and allows
	// multiple goroutines to wait for its result.
	inflight *inflight

	// A set of cached keys.
	cachedKeys []JSONWebKey
}

// inflight is used to wait on some in-flight request from multiple goroutines.
type inflight struct {
	doneCh chan struct{}

	keys []JSONWebKey
	err  error
}

func newInflight() *inflight {
	return &inflight{doneCh: make(chan struct{})}
}

func (i *inflight) wait() <-chan struct{} {
	return i.doneCh
}

func (i *inflight) done(keys []JSONWebKey, err error) {
	i.keys = keys
	i.err = err
	close(i.doneCh)
}

func (i *inflight) result() ([]JSONWebKey, error) {
	return i.keys, i.err
}

// VerifySignature validates a payload against a signature from the jwks_uri.
func (r *RemoteKeySet) VerifySignature(ctx context.Context, jws *JSONWebSignature) ([]byte, error) {
	return r.verify(ctx, jws)
}

func (r *RemoteKeySet) verify(ctx context.Context, jws *JSONWebSignature) ([]byte, error) {
	keyID := jws.KeyID

	keys := r.keysFromCache()
	for _, key := range keys {
		if keyID == "" || key.KeyID == keyID {
			if payload, err := jws.Verify(&key); err == nil {
				return payload, nil
			}
		}
	}

	// If the kid doesn't match, check for new keys from the remote. This is the
	// strategy recommended by the spec.
	//
	// https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
	keys, err := r.keysFromRemote(ctx)
	if err != nil {
		return nil, fmt.Errorf("fetching keys %v", err)
	}

	for _, key := range keys {
		if keyID == "" || key.KeyID == keyID {
			if payload, err := jws.Verify(&key); err == nil {
				return payload, nil
			}
		}
	}
	return nil, errors.New("failed to verify id token signature")
}

func (r *RemoteKeySet) keysFromCache() (keys []JSONWebKey) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.cachedKeys
}

// keysFromRemote syncs the key set from the remote set, records the values in the
// cache, and returns the key set.
func (r *RemoteKeySet) keysFromRemote(ctx context.Context) ([]JSONWebKey, error) {
	// Need to lock to inspect the inflight request field.
	r.mu.Lock()
	// If there's not a current inflight request, create one.
	if r.inflight == nil {
		r.inflight = newInflight()

		// This goroutine has exclusive ownership over the current inflight
		// request. It releases the resource by nil'ing the inflight field
		// once the goroutine is done.
		go func() {
			// Sync keys and finish inflight when that's done.
			keys, err := r.updateKeys()

			r.inflight.done(keys, err)

			// Lock to update the keys and indicate that there is no longer an
			// inflight request.
			r.mu.Lock()
			defer r.mu.Unlock()

			if err == nil {
				r.cachedKeys = keys
			}

			// Free inflight so a different request can run.
			r.inflight = nil
		}()
	}
	inflight := r.inflight
	r.mu.Unlock()

	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-inflight.wait():
		return inflight.result()
	}
}

func (r *RemoteKeySet) updateKeys() ([]JSONWebKey, error) {
	req, err := http.NewRequest("GET", r.jwksURL, nil)
	if err != nil {
		return nil, fmt.Errorf("oidc: can't create request: %v", err)
	}

	resp, err := doRequest(r.ctx, req)
	if err != nil {
		return nil, fmt.Errorf("oidc: get keys failed %v", err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("unable to read response body: %v", err)
	}

	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("oidc: get keys failed: %s %s", resp.Status, body)
	}

	var keySet JSONWebKeySet
	err = json.Unmarshal(body, &keySet)
	if err != nil {
		return nil, fmt.Errorf("oidc: failed to decode keys: %v %s", err, body)
	}
	return keySet.Keys, nil
}
