// Recall case sc-taiko-client-wait-l1origin
// Source: github.com/taikoxyz/taiko-client commit 0ebf121dcae5e75d359bc7818aa98fa6f7b1bc20 (pkg/rpc/methods.go)
// Link: https://github.com/taikoxyz/taiko-client/commit/0ebf121dcae5e75d359bc7818aa98fa6f7b1bc20
// Bug: When the internal polling timeout (ctxWithTimeout) expires, WaitL1Origin returns ctx.Err() of the parent context, which is nil, so a DeadlineExceeded is turned into (nil, nil) success.
// Fix: Return ctxWithTimeout.Err() so the deadline error is propagated to the caller.
// Rule: swallowcancel
package rpc

import (
	"context"
	"fmt"
	"log"
	"math/big"
	"time"
)

var (
	waitL1OriginPollingInterval = 3 * time.Second
	defaultWaitL1OriginTimeout  = 3 * time.Minute
)

// Client is a stand-in for the taiko-client rpc.Client.
type Client struct {
	L2 *EthClient
}

// WaitL1Origin keeps waiting until the L1Origin with given block ID appears on the L2 execution engine.
func (c *Client) WaitL1Origin(ctx context.Context, blockID *big.Int) (*L1Origin, error) {
	var (
		l1Origin *L1Origin
		err      error
	)

	ticker := time.NewTicker(waitL1OriginPollingInterval)
	defer ticker.Stop()

	var (
		ctxWithTimeout = ctx
		cancel         context.CancelFunc
	)
	if _, ok := ctx.Deadline(); !ok {
		ctxWithTimeout, cancel = context.WithTimeout(ctx, defaultWaitL1OriginTimeout)
		defer cancel()
	}

	log.Printf("Start fetching L1Origin from L2 execution engine, blockID=%v", blockID)
	for ; true; <-ticker.C {
		if ctxWithTimeout.Err() != nil {
			return nil, ctx.Err()
		}

		l1Origin, err = c.L2.L1OriginByID(ctxWithTimeout, blockID)
		if err != nil {
			log.Printf("L1Origin from L2 execution engine not found, keep retrying, blockID=%v error=%v", blockID, err)
			continue
		}

		if l1Origin == nil {
			continue
		}

		return l1Origin, nil
	}

	return nil, fmt.Errorf("failed to fetch L1Origin from L2 execution engine, blockID: %d", blockID)
}

// checkL1Origin is a caller that treats a nil error as "L1Origin found".
func checkL1Origin(ctx context.Context, c *Client, blockID *big.Int) (string, error) {
	l1Origin, err := c.WaitL1Origin(ctx, blockID)
	if err != nil {
		return "", err
	}
	return l1Origin.L1BlockHash, nil
}
