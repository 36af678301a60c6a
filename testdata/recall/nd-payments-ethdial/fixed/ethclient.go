// Recall case nd-payments-ethdial
// Source: github.com/mysteriumnetwork/payments commit 75b55bfb4e12897e0bb5878b6ceb9eef027e9e54 (client/ethclient.go)
// Link: https://github.com/mysteriumnetwork/payments/commit/75b55bfb4e12897e0bb5878b6ceb9eef027e9e54
// Bug: NewReconnectableEthClient and Reconnect dial the Ethereum node with ethclient.Dial, which carries no context or timeout, so a dead node makes the dial hang forever.
// Fix: both functions build a context.WithTimeout(context.Background(), connectTimeout) and call ethclient.DialContext with it.
// Rule: nodeadline
package client

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// NewReconnectableEthClient creates new ethereum client that can reconnect.
func NewReconnectableEthClient(address string, connectTimeout time.Duration) (*ReconnectableEthClient, error) {
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()

	ec, err := ethclientDialContext(ctx, address)
	if err != nil {
		return nil, fmt.Errorf("ethereum client failed to connect: %w", err)
	}

	return &ReconnectableEthClient{
		address: address,
		client:  ec,
	}, nil
}

// ReconnectableEthClient is a ethereum client that can reconnect.
type ReconnectableEthClient struct {
	address string
	mu      sync.Mutex
	client  *Client
}

// Client returns the currently connected ethereum client.
func (c *ReconnectableEthClient) Client() *Client {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.client
}

// Reconnect creates new ethereum client and replaces the current one.
func (c *ReconnectableEthClient) Reconnect(connectTimeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()

	client, err := ethclientDialContext(ctx, c.address)
	if err != nil {
		return fmt.Errorf("ethereum client failed to dial: %w", err)
	}

	c.client.Close()
	*c.client = *client

	return nil
}
