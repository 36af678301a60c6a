// Recall case sd-icmservices-sigagg
// Source: github.com/ava-labs/icm-services commit 58ada6367b088e35fe29653b323951dcc4d6e1f8 (signature-aggregator/api/api.go, signature-aggregator/aggregator/aggregator.go, peers/app_request_network.go, peers/validators/canonical_validator_client.go)
// Link: https://github.com/ava-labs/icm-services/commit/58ada6367b088e35fe29653b323951dcc4d6e1f8
// Bug: the aggregate-signatures HTTP handler starts a fresh context.WithTimeout(context.Background(), ...) instead of deriving from r.Context(), and GetCurrentCanonicalValidatorSet (reached through connectToQuorumValidators -> GetConnectedCanonicalValidators -> cache fetch closure) again starts its own context.WithTimeout(context.Background(), DefaultRPCTimeout), so client disconnects and the caller deadline are ignored.
// Fix: the handler derives its timeout from r.Context() and ctx is threaded through connectToQuorumValidators, GetConnectedCanonicalValidators and GetCurrentCanonicalValidatorSet instead of starting from context.Background().
// Rule: sharedeadline
package sigagg

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"
)

const connectToValidatorsTimeout = 5 * time.Second

var errNotEnoughConnectedStake = errors.New("failed to connect to a threshold of stake")

type SignatureAggregator struct {
	network AppRequestNetwork
}

// withRetriesTimeout is a stand-in for utils.WithRetriesTimeout
// (cenkalti/backoff RetryNotify with MaxElapsedTime).
func withRetriesTimeout(logger *log.Logger, operation func() error, timeout time.Duration, logMessage string) error {
	deadline := time.Now().Add(timeout)
	delay := 100 * time.Millisecond
	for {
		err := operation()
		if err == nil {
			return nil
		}
		if time.Now().Add(delay).After(deadline) {
			return err
		}
		logger.Printf("operation failed, retrying... %s", logMessage)
		time.Sleep(delay)
		delay *= 2
	}
}

func (s *SignatureAggregator) connectToQuorumValidators(
	log *log.Logger,
	signingSubnet string,
	quorumPercentage uint64,
	skipCache bool,
) (*ConnectedCanonicalValidators, error) {
	var connectedValidators *ConnectedCanonicalValidators
	var err error
	connectOp := func() error {
		connectedValidators, err = s.network.GetConnectedCanonicalValidators(signingSubnet, skipCache)
		if err != nil {
			msg := "Failed to fetch connected canonical validators"
			log.Printf("%s: %v", msg, err)
			return fmt.Errorf("%s: %w", msg, err)
		}
		if connectedValidators.ConnectedWeight*100 < quorumPercentage*connectedValidators.TotalWeight {
			return errNotEnoughConnectedStake
		}
		return nil
	}
	err = withRetriesTimeout(log, connectOp, connectToValidatorsTimeout, "connect to validators")
	if err != nil {
		return nil, err
	}
	return connectedValidators, nil
}

func (s *SignatureAggregator) CreateSignedMessage(
	ctx context.Context,
	log *log.Logger,
	unsignedMessage []byte,
	signingSubnet string,
	requiredQuorumPercentage uint64,
	skipCache bool,
) ([]byte, error) {
	connectedValidators, err := s.connectToQuorumValidators(log, signingSubnet, requiredQuorumPercentage, skipCache)
	if err != nil {
		log.Printf("Failed to fetch quorum of connected canonical validators: %v", err)
		return nil, err
	}
	return s.network.RequestSignatures(ctx, connectedValidators, unsignedMessage)
}
