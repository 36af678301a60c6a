// Recall case sc-go-libp2p-kad-dht-getproviders
// Source: github.com/libp2p/go-libp2p-kad-dht commit f6a14332afbc250cfd05411a37a4be593f42b9a7 (records/providers_manager.go)
// Link: https://github.com/libp2p/go-libp2p-kad-dht/commit/f6a14332afbc250cfd05411a37a4be593f42b9a7
// Bug: GetProviders turns every error from getProviderSetForKey (including the context.Canceled/DeadlineExceeded returned by the ctx-aware datastore query) into an empty, successful result (return nil, nil), so a cancelled caller sees "no providers" instead of the context error.
// Fix: GetProviders returns ctx.Err() up front and, when the lookup fails while ctx is done, returns the context error instead of nil.
// Rule: swallowcancel
package records

import (
	"context"
	"database/sql"
	"encoding/base32"
	"errors"
	"log"
	"slices"
	"sync"
	"time"
)

const ProvidersKeyPrefix = "/providers/"

var (
	// ErrClosed is returned by AddProvider and GetProviders after Close.
	ErrClosed = errors.New("provider manager closed")
	// ErrNotFound mirrors ds.ErrNotFound.
	ErrNotFound = errors.New("datastore: key not found")
)

// sqlDatastore is a stand-in for the ds.Batching datastore, backed by database/sql.
type sqlDatastore struct {
	db *sql.DB
}

type entry struct {
	Key   string
	Value []byte
}

func (d *sqlDatastore) Query(ctx context.Context, prefix string) ([]entry, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT k, v FROM kv WHERE k LIKE ? || '%'", prefix)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.Key, &e.Value); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

type providerSet struct {
	providers []string
	set       map[string]time.Time
}

type ProviderManager struct {
	mu              sync.Mutex
	stopped         bool
	cache           map[string]*providerSet
	dstore          *sqlDatastore
	provideValidity time.Duration
	shuffle         func(n int, swap func(i, j int))
}

func mkProvKey(k []byte) string {
	return ProvidersKeyPrefix + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(k)
}

// GetProviders returns the set of providers for the given key. A datastore
// read failure yields an empty result rather than an error: the record simply
// appears absent, so a GET_PROVIDERS query falls back to other peers instead of
// failing. It returns ErrClosed after Close.
func (pm *ProviderManager) GetProviders(ctx context.Context, k []byte) ([]string, error) {

	pm.mu.Lock()
	if pm.stopped {
		pm.mu.Unlock()
		return nil, ErrClosed
	}
	pset, err := pm.getProviderSetForKey(ctx, k)
	if err != nil {
		pm.mu.Unlock()
		if !errors.Is(err, ErrNotFound) {
			log.Println("error reading providers: ", err)
		}
		return nil, nil
	}
	provs := slices.Clone(pset.providers)
	pm.shuffle(len(provs), func(i, j int) { provs[i], provs[j] = provs[j], provs[i] })
	pm.mu.Unlock()

	return provs, nil
}

// getProviderSetForKey returns the ProviderSet for k, from the cache if present
// or loaded from the datastore. The caller must hold pm.mu.
func (pm *ProviderManager) getProviderSetForKey(ctx context.Context, k []byte) (*providerSet, error) {
	if ps, ok := pm.cache[string(k)]; ok {
		return ps, nil
	}

	pset, err := loadProviderSet(ctx, pm.dstore, pm.provideValidity, k)
	if err != nil {
		return nil, err
	}

	if len(pset.providers) > 0 {
		pm.cache[string(k)] = pset
	}

	return pset, nil
}

// loadProviderSet loads the ProviderSet for k out of the datastore.
func loadProviderSet(ctx context.Context, dstore *sqlDatastore, provideValidity time.Duration, k []byte) (*providerSet, error) {
	res, err := dstore.Query(ctx, mkProvKey(k))
	if err != nil {
		return nil, err
	}

	now := time.Now()
	out := &providerSet{set: map[string]time.Time{}}
	for _, e := range res {
		t, err := time.Parse(time.RFC3339Nano, string(e.Value))
		if err != nil || now.Sub(t) > provideValidity {
			continue
		}
		out.providers = append(out.providers, e.Key)
		out.set[e.Key] = t
	}
	return out, nil
}
