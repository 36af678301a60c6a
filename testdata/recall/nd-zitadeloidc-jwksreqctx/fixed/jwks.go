// Recall case nd-zitadeloidc-jwksreqctx
// Source: github.com/zitadel/oidc commit 3512c72f1c158e1c40157d84d50c97ecaa1d91d8 (pkg/client/rp/jwks.go)
// Link: https://github.com/zitadel/oidc/commit/3512c72f1c158e1c40157d84d50c97ecaa1d91d8
// Bug: remoteKeySet.fetchRemoteKeys receives the caller's ctx but builds the JWKS request with http.NewRequest, so the HTTP fetch (via a client that may have no Timeout) ignores the caller's deadline/cancellation and can hang forever.
// Fix: the request is built with http.NewRequestWithContext(ctx, ...).
// Rule: nodeadline
package rp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
)

// JSONWebKey stands in for jose.JSONWebKey.
type JSONWebKey struct {
	KeyID     string          `json:"kid"`
	KeyType   string          `json:"kty"`
	Algorithm string          `json:"alg"`
	Raw       json.RawMessage `json:"-"`
}

func NewRemoteKeySet(client *http.Client, jwksURL string) *remoteKeySet {
	return &remoteKeySet{httpClient: client, jwksURL: jwksURL}
}

type remoteKeySet struct {
	jwksURL    string
	httpClient *http.Client

	// guard all other fields
	mu sync.Mutex

	// inflight suppresses parallel execution of updateKeys and allows
	// multiple goroutines to wait for its result.
	inflight *inflight

	// A set of cached keys and their expiry.
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

func (r *remoteKeySet) keysFromCache() (keys []JSONWebKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cachedKeys
}

// keysFromRemote syncs the key set from the remote set, records the values in the
// cache, and returns the key set.
func (r *remoteKeySet) keysFromRemote(ctx context.Context) ([]JSONWebKey, error) {
	// Need to lock to inspect the inflight request field.
	r.mu.Lock()
	// If there's not a current inflight request, create one.
	if r.inflight == nil {
		r.inflight = newInflight()

		// This goroutine has exclusive ownership over the current inflight
		// request. It releases the resource by nil'ing the inflight field
		// once the goroutine is done.
		go r.updateKeys(ctx)
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

func (r *remoteKeySet) updateKeys(ctx context.Context) {
	// Sync keys and finish inflight when that's done.
	keys, err := r.fetchRemoteKeys(ctx)

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
}

func (r *remoteKeySet) fetchRemoteKeys(ctx context.Context) ([]JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", r.jwksURL, nil)
	if err != nil {
		return nil, fmt.Errorf("oidc: can't create request: %v", err)
	}

	keySet := new(jsonWebKeySet)
	if err = httpRequest(r.httpClient, req, keySet); err != nil {
		return nil, fmt.Errorf("oidc: failed to get keys: %v", err)
	}
	return keySet.Keys, nil
}

// jsonWebKeySet stands in for jose.JSONWebKeySet.
type jsonWebKeySet struct {
	Keys []JSONWebKey `json:"keys"`
}
