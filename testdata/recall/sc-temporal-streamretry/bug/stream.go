// Recall case sc-temporal-streamretry
// Source: github.com/temporalio/temporal commit 20ba14babff384be363c011295568cd3bee5c516 (service/history/replication/stream.go)
// Link: https://github.com/temporalio/temporal/commit/20ba14babff384be363c011295568cd3bee5c516
// Bug: WrapEventLoop retries the replication stream event loop through ThrottleRetry, and isRetryableError classifies context.Canceled (stream server context gone) as retryable, so a cancelled stream is re-run up to 100 times with backoff instead of stopping.
// Fix: WrapEventLoop takes the stream server's ctx, returns ctx.Err() before each attempt, and isRetryableError treats context.Canceled as non-retryable.
// Rule: swallowcancel
package replication

import (
	"errors"
	"log"
	"time"
)

var (
	streamRetryPolicy = RetryPolicy{
		InitialInterval: 500 * time.Millisecond,
		MaximumInterval: 2 * time.Second,
		MaximumAttempts: 100,
	}
)

// StreamError is returned when the underlying stream is broken.
type StreamError struct {
	Message string
	cause   error
}

func (e *StreamError) Error() string { return e.Message + ": " + e.cause.Error() }
func (e *StreamError) Unwrap() error { return e.cause }

// ShardOwnershipLostError is returned when the shard moved to another host.
type ShardOwnershipLostError struct{ ShardID int32 }

func (e *ShardOwnershipLostError) Error() string { return "shard ownership lost" }

type ClusterShardKey struct {
	ClusterID int32
	ShardID   int32
}

func WrapEventLoop(
	originalEventLoop func() error,
	streamStopper func(),
	logger *log.Logger,
	fromClusterKey ClusterShardKey,
	toClusterKey ClusterShardKey,
	retryPolicy RetryPolicy,
) {
	defer streamStopper()

	ops := func() error {
		err := originalEventLoop()

		if err != nil {
			var streamError *StreamError
			if errors.As(err, &streamError) {
				logger.Printf("ReplicationStreamError %v->%v: %v", fromClusterKey, toClusterKey, err)
			} else {
				logger.Printf("ReplicationServiceError %v->%v: %v", fromClusterKey, toClusterKey, err)
			}
			return err
		}
		// shutdown case
		return nil
	}
	_ = ThrottleRetry(ops, retryPolicy, isRetryableError)
}

func isRetryableError(err error) bool {
	var streamError *StreamError
	var shardOwnershipLostError *ShardOwnershipLostError
	switch {
	case errors.As(err, &shardOwnershipLostError):
		return false
	case errors.As(err, &streamError):
		return false
	default:
		return true
	}
}
