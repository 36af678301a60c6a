// Recall case sc-ftl-consumeclaim
// Source: github.com/block/ftl commit af62a9c9574e647bfa1c1a97ae1ce4586c8db029 (backend/runner/pubsub/consumer.go)
// Link: https://github.com/block/ftl/commit/af62a9c9574e647bfa1c1a97ae1ce4586c8db029
// Bug: in ConsumeClaim a failed verb call that is a *connect.Error is retried (sleep 1 s, continue) before the session ctx is checked; when the session ctx is cancelled the call fails with a connect "canceled" error and the loop keeps retrying forever instead of stopping.
// Fix: the ctx.Done() check (return without committing) is moved before the connect-error retry branch, so a cancelled session stops retrying.
// Rule: swallowcancel
package pubsub

import (
	"context"
	"errors"
	"log"
	"time"
)

// ConsumerMessage stands in for *sarama.ConsumerMessage.
type ConsumerMessage struct {
	Partition int32
	Offset    int64
	Value     []byte
}

// ConsumerGroupSession stands in for sarama.ConsumerGroupSession.
type ConsumerGroupSession interface {
	Context() context.Context
	MarkMessage(msg *ConsumerMessage, metadata string)
}

// ConsumerGroupClaim stands in for sarama.ConsumerGroupClaim.
type ConsumerGroupClaim interface {
	Partition() int32
	Messages() <-chan *ConsumerMessage
}

type retryParams struct {
	Count      int
	MinBackoff time.Duration
	MaxBackoff time.Duration
}

type consumer struct {
	verbName    string
	verbClient  *VerbClient
	retryParams retryParams
}

// ConsumeClaim must start a consumer loop of ConsumerGroupClaim's Messages(). Once the Messages() channel
// is closed, the Handler must finish its processing loop and exit.
func (c *consumer) ConsumeClaim(session ConsumerGroupSession, claim ConsumerGroupClaim) error {
	ctx := session.Context()

	for {
		select {
		case <-ctx.Done():
			return nil

		case msg, ok := <-claim.Messages():
			if !ok || msg == nil {
				// Channel closed, rebalance or shutdown needed
				return nil
			}

			remainingRetries := c.retryParams.Count
			backoff := c.retryParams.MinBackoff
			for {
				callCtx, callCancel := context.WithCancelCause(ctx)
				callChan := make(chan error)
				go func() {
					callChan <- c.call(callCtx, msg.Value, int(msg.Partition), int(msg.Offset))
				}()
				err := <-callChan
				// close call context now that the call is finished
				if err != nil {
					callCancel(errors.Join(err, context.Canceled))
				} else {
					callCancel(context.Canceled)
				}
				if err == nil {
					break
				}
				select {
				case <-ctx.Done():
					// Do not commit the message if we did not succeed and the context is done.
					// No need to retry message either.
					log.Printf("Failed to consume message from %v[%v,%v]: %v", c.verbName, msg.Partition, msg.Offset, err)
					return nil
				default:
				}
				var connectErr *Error
				if errors.As(err, &connectErr) {
					// Connection error, do not count as an attempt
					// This can happen when a runner is shutting down. This should never mark the message as consumed.
					time.Sleep(time.Second)
					continue
				}
				if remainingRetries == 0 {
					log.Printf("Failed to consume message from %v[%v,%v]: %v", c.verbName, msg.Partition, msg.Offset, err)
					break
				}
				log.Printf("Failed to consume message from %v[%v,%v] and will retry in %vs: %v", c.verbName, msg.Partition, msg.Offset, int(backoff.Seconds()), err)
				time.Sleep(backoff)
				remainingRetries--
				backoff *= 2
				if backoff > c.retryParams.MaxBackoff {
					backoff = c.retryParams.MaxBackoff
				}
			}
			session.MarkMessage(msg, "")
		}
	}
}

func (c *consumer) call(ctx context.Context, body []byte, partition, offset int) error {
	return c.verbClient.Call(ctx, c.verbName, body)
}
