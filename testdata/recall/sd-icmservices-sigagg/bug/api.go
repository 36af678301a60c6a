// Recall case sd-icmservices-sigagg
// Source: github.com/ava-labs/icm-services commit 58ada6367b088e35fe29653b323951dcc4d6e1f8 (signature-aggregator/api/api.go, signature-aggregator/aggregator/aggregator.go, peers/app_request_network.go, peers/validators/canonical_validator_client.go)
// Link: https://github.com/ava-labs/icm-services/commit/58ada6367b088e35fe29653b323951dcc4d6e1f8
// Bug: the aggregate-signatures HTTP handler starts a fresh context.WithTimeout(context.Background(), ...) instead of deriving from r.Context(), and GetCurrentCanonicalValidatorSet (reached through connectToQuorumValidators -> GetConnectedCanonicalValidators -> cache fetch closure) again starts its own context.WithTimeout(context.Background(), DefaultRPCTimeout), so client disconnects and the caller deadline are ignored.
// Fix: the handler derives its timeout from r.Context() and ctx is threaded through connectToQuorumValidators, GetConnectedCanonicalValidators and GetCurrentCanonicalValidatorSet instead of starting from context.Background().
// Rule: sharedeadline
package sigagg

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"
)

const (
	DefaultRPCTimeout                 = 5 * time.Second
	DefaultAppRequestTimeout          = 5 * time.Second
	DefaultCreateSignedMessageTimeout = DefaultRPCTimeout + DefaultAppRequestTimeout
	DefaultQuorumPercentage           = 67
)

type AggregateSignatureRequest struct {
	Message          string `json:"message"`
	SigningSubnetID  string `json:"signing-subnet-id"`
	QuorumPercentage uint64 `json:"quorum-percentage"`
}

type AggregateSignatureResponse struct {
	SignedMessage string `json:"signed-message"`
}

func signatureAggregationAPIHandler(
	logger *log.Logger,
	aggregator *SignatureAggregator,
) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req AggregateSignatureRequest
		err := json.NewDecoder(r.Body).Decode(&req)
		if err != nil {
			http.Error(w, "Could not decode request body", http.StatusBadRequest)
			return
		}

		quorumPercentage := req.QuorumPercentage
		if quorumPercentage == 0 {
			quorumPercentage = DefaultQuorumPercentage
		} else if req.QuorumPercentage > 100 {
			http.Error(w, "Invalid quorum number", http.StatusBadRequest)
			return
		}

		ctx, cancel := context.WithTimeout(context.Background(), DefaultCreateSignedMessageTimeout)
		defer cancel()

		signedMessage, err := aggregator.CreateSignedMessage(
			ctx,
			logger,
			[]byte(req.Message),
			req.SigningSubnetID,
			quorumPercentage,
			false,
		)
		if err != nil {
			logger.Printf("Failed to aggregate signatures: %v", err)
			msg := fmt.Errorf("failed to aggregate signatures. error: %w", err).Error()
			http.Error(w, msg, http.StatusInternalServerError)
			return
		}
		resp, err := json.Marshal(AggregateSignatureResponse{SignedMessage: string(signedMessage)})
		if err != nil {
			http.Error(w, "Failed to marshal response", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(resp)
	})
}
