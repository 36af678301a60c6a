// Recall case sc-centrifugo-azure-complete
// Source: github.com/centrifugal/centrifugo commit 444b2d40983f0b62199ab8a318308e88d9baa574 (internal/consuming/azure_service_bus.go)
// Link: https://github.com/centrifugal/centrifugo/commit/444b2d40983f0b62199ab8a318308e88d9baa574
// Bug: AzureServiceBusConsumer.processMessage logs a processing error (including one caused by a canceled ctx) as "abandoning message", breaks out of the retry loop and then calls CompleteMessage, settling the failed message as a success.
// Fix: keep the final processErr and, when it is non-nil, call AbandonMessage and return instead of CompleteMessage.
// Rule: swallowcancel
package consuming

import (
	"context"
	"log"
	"math/rand"
	"sync/atomic"
	"time"
)

const (
	minBackoffDuration = 50 * time.Millisecond
	maxBackoffDuration = 5 * time.Second
)

func getNextBackoffDuration(currentBackoff time.Duration, retries int) time.Duration {
	if currentBackoff >= maxBackoffDuration {
		return maxBackoffDuration
	}
	//nolint:gosec // it's a jitter.
	jitter := time.Duration(rand.Int63n(minBackoffDuration.Milliseconds())) * time.Millisecond
	newBackoff := (minBackoffDuration + jitter) * (1 << retries)
	return min(newBackoff, maxBackoffDuration)
}

// Dispatcher is the consuming package's dispatcher interface (command path only).
type Dispatcher interface {
	DispatchCommand(ctx context.Context, method string, data []byte) error
}

// ReceivedMessage is the reduced azservicebus.ReceivedMessage.
type ReceivedMessage struct {
	Body                  []byte
	ApplicationProperties map[string]any
}

// CompleteMessageOptions / AbandonMessageOptions mirror the azservicebus option types.
type CompleteMessageOptions struct{}
type AbandonMessageOptions struct{}

type AzureServiceBusConsumerConfig struct {
	MethodProperty string
}

type AzureServiceBusConsumer struct {
	config     AzureServiceBusConsumerConfig
	dispatcher Dispatcher
	name       string

	processedTotal atomic.Int64
	errorsTotal    atomic.Int64
}

// azureCompleter defines an interface for completing messages.
type azureCompleter interface {
	CompleteMessage(context.Context, *ReceivedMessage, *CompleteMessageOptions) error
}

// processMessage processes a single message with a retry mechanism.
func (c *AzureServiceBusConsumer) processMessage(ctx context.Context, msg *ReceivedMessage, completer azureCompleter) {
	var retries int
	var backoffDuration time.Duration
	data := msg.Body
	const maxRetries = 5

	for {
		var err error
		err = c.processCommandMessage(ctx, msg, data)
		if err == nil {
			if retries > 0 {
				log.Println("message processed successfully after retries")
			}
			break
		}
		// Stop retrying if context is canceled or maximum attempts reached.
		if ctx.Err() != nil || retries >= maxRetries {
			log.Printf("max retries reached or context canceled; abandoning message: %v", err)
			break
		}
		retries++
		backoffDuration = getNextBackoffDuration(backoffDuration, retries)
		log.Printf("error processing message, retrying in %v: %v", backoffDuration, err)
		select {
		case <-time.After(backoffDuration):
		case <-ctx.Done():
			return
		}
	}

	// Complete the message (or log an error on failure).
	if err := completer.CompleteMessage(ctx, msg, nil); err != nil {
		log.Printf("failed to complete message: %v", err)
		c.errorsTotal.Add(1)
	} else {
		c.processedTotal.Add(1)
	}
}

func (c *AzureServiceBusConsumer) processCommandMessage(ctx context.Context, msg *ReceivedMessage, data []byte) error {
	method, _ := getProperty(msg, c.config.MethodProperty)
	return c.dispatcher.DispatchCommand(ctx, method, data)
}

func getProperty(msg *ReceivedMessage, key string) (string, bool) {
	if key == "" {
		return "", false
	}
	val, ok := msg.ApplicationProperties[key]
	if !ok {
		return "", false
	}
	s, ok := val.(string)
	return s, ok
}
