// Recall case sd-icmservices-sigagg
// Source: github.com/ava-labs/icm-services commit 58ada6367b088e35fe29653b323951dcc4d6e1f8 (signature-aggregator/api/api.go, signature-aggregator/aggregator/aggregator.go, peers/app_request_network.go, peers/validators/canonical_validator_client.go)
// Link: https://github.com/ava-labs/icm-services/commit/58ada6367b088e35fe29653b323951dcc4d6e1f8
// Bug: the aggregate-signatures HTTP handler starts a fresh context.WithTimeout(context.Background(), ...) instead of deriving from r.Context(), and GetCurrentCanonicalValidatorSet (reached through connectToQuorumValidators -> GetConnectedCanonicalValidators -> cache fetch closure) again starts its own context.WithTimeout(context.Background(), DefaultRPCTimeout), so client disconnects and the caller deadline are ignored.
// Fix: the handler derives its timeout from r.Context() and ctx is threaded through connectToQuorumValidators, GetConnectedCanonicalValidators and GetCurrentCanonicalValidatorSet instead of starting from context.Background().
// Rule: sharedeadline
package sigagg

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

type ConnectedCanonicalValidators struct {
	ConnectedWeight uint64
	TotalWeight     uint64
	ValidatorSet    CanonicalValidatorSet
}

type AppRequestNetwork interface {
	GetConnectedCanonicalValidators(subnetID string, skipCache bool) (
		*ConnectedCanonicalValidators,
		error,
	)
	RequestSignatures(ctx context.Context, vdrs *ConnectedCanonicalValidators, msg []byte) ([]byte, error)
}

// ttlCache is a stand-in for cache.TTLCache.
type ttlCache struct {
	lock sync.Mutex
	ttl  time.Duration
	data map[string]cacheItem
}

type cacheItem struct {
	value     CanonicalValidatorSet
	timestamp time.Time
}

func (c *ttlCache) Get(key string, fetchFunc func(string) (CanonicalValidatorSet, error), invalidate bool) (CanonicalValidatorSet, error) {
	c.lock.Lock()
	item, exists := c.data[key]
	c.lock.Unlock()
	if !invalidate && exists && time.Since(item.timestamp) < c.ttl {
		return item.value, nil
	}
	v, err := fetchFunc(key)
	if err != nil {
		return CanonicalValidatorSet{}, err
	}
	c.lock.Lock()
	c.data[key] = cacheItem{value: v, timestamp: time.Now()}
	c.lock.Unlock()
	return v, nil
}

type appRequestNetwork struct {
	validatorClient            CanonicalValidatorState
	canonicalValidatorSetCache *ttlCache
	peerURL                    string
	httpClient                 *http.Client
	connected                  map[string]bool
}

var _ AppRequestNetwork = (*appRequestNetwork)(nil)

// GetConnectedCanonicalValidators returns the validator information in canonical ordering for the given subnet
// at the time of the call, as well as the total weight of the validators that this network is connected to
func (n *appRequestNetwork) GetConnectedCanonicalValidators(
	subnetID string,
	skipCache bool,
) (*ConnectedCanonicalValidators, error) {
	// Get the subnet's current canonical validator set
	fetchVdrsFunc := func(subnetID string) (CanonicalValidatorSet, error) {
		return n.validatorClient.GetCurrentCanonicalValidatorSet(subnetID)
	}
	validatorSet, err := n.canonicalValidatorSetCache.Get(subnetID, fetchVdrsFunc, skipCache)
	if err != nil {
		return nil, err
	}

	var connectedWeight uint64
	for _, vdr := range validatorSet.Validators {
		if n.connected[vdr.NodeID] {
			connectedWeight += vdr.Weight
		}
	}
	return &ConnectedCanonicalValidators{
		ConnectedWeight: connectedWeight,
		TotalWeight:     validatorSet.TotalWeight,
		ValidatorSet:    validatorSet,
	}, nil
}

func (n *appRequestNetwork) RequestSignatures(ctx context.Context, vdrs *ConnectedCanonicalValidators, msg []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.peerURL, bytes.NewReader(msg))
	if err != nil {
		return nil, err
	}
	resp, err := n.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
