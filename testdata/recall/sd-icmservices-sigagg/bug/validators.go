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
	"encoding/json"
	"fmt"
	"log"
	"net/http"
)

type Validator struct {
	NodeID string `json:"nodeID"`
	Weight uint64 `json:"weight"`
}

type CanonicalValidatorSet struct {
	Validators  []Validator `json:"validators"`
	TotalWeight uint64      `json:"totalWeight"`
}

type CanonicalValidatorState interface {
	GetCurrentCanonicalValidatorSet(subnetID string) (CanonicalValidatorSet, error)
}

// platformClient is a stand-in for platformvm.Client (JSON-RPC over HTTP).
type platformClient struct {
	baseURL    string
	httpClient *http.Client
}

func (c *platformClient) GetValidatorsAt(ctx context.Context, subnetID string) (CanonicalValidatorSet, error) {
	body, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "id": 1, "method": "platform.getValidatorsAt",
		"params": map[string]any{"subnetID": subnetID, "height": "proposed"},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/ext/bc/P", bytes.NewReader(body))
	if err != nil {
		return CanonicalValidatorSet{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return CanonicalValidatorSet{}, err
	}
	defer resp.Body.Close()
	var out struct {
		Result CanonicalValidatorSet `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return CanonicalValidatorSet{}, fmt.Errorf("decoding validators: %w", err)
	}
	return out.Result, nil
}

type CanonicalValidatorClient struct {
	logger *log.Logger
	client *platformClient
}

var _ CanonicalValidatorState = (*CanonicalValidatorClient)(nil)

func (v *CanonicalValidatorClient) GetCurrentCanonicalValidatorSet(
	subnetID string,
) (CanonicalValidatorSet, error) {
	// Get the current canonical validator set of the source subnet.
	ctx, cancel := context.WithTimeout(context.Background(), DefaultRPCTimeout)
	defer cancel()
	canonicalSubnetValidators, err := v.client.GetValidatorsAt(ctx, subnetID)
	if err != nil {
		v.logger.Printf("Failed to get the canonical subnet validator set subnetID=%s: %v", subnetID, err)
		return CanonicalValidatorSet{}, err
	}

	return canonicalSubnetValidators, nil
}
