// Recall case uw-relayer-waitfornblocks
// Source: github.com/cosmos/relayer commit 6ba619786a8a6928b20456feaa831b556fb42325 (relayer/provider/cosmos/provider.go)
// Link: https://github.com/cosmos/relayer/commit/6ba619786a8a6928b20456feaa831b556fb42325
// Bug: WaitForNBlocks polls the RPC status in a loop and pauses with time.Sleep between polls, so cancellation of ctx (e.g. SIGINT) is not observed while sleeping.
// Fix: replace time.Sleep with a select on time.After and ctx.Done(), returning ctx.Err() on cancellation.
// Rule: uncancellablewait
package cosmos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// ResultStatus is the subset of the tendermint /status response we need.
type ResultStatus struct {
	SyncInfo struct {
		LatestBlockHeight int64 `json:"latest_block_height"`
		CatchingUp        bool  `json:"catching_up"`
	} `json:"sync_info"`
}

// RPCClient is a small stand-in for the tendermint HTTP RPC client.
type RPCClient struct {
	HTTP *http.Client
	Addr string
}

func (c *RPCClient) Status(ctx context.Context) (*ResultStatus, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Addr+"/status", nil)
	if err != nil {
		return nil, err
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var st ResultStatus
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		return nil, err
	}
	return &st, nil
}

type CosmosProvider struct {
	RPCClient *RPCClient
}

// WaitForNBlocks blocks until the next block on a given chain
func (cc *CosmosProvider) WaitForNBlocks(ctx context.Context, n int64) error {
	var initial int64
	h, err := cc.RPCClient.Status(ctx)
	if err != nil {
		return err
	}
	if h.SyncInfo.CatchingUp {
		return fmt.Errorf("chain catching up")
	}
	initial = h.SyncInfo.LatestBlockHeight
	for {
		h, err = cc.RPCClient.Status(ctx)
		if err != nil {
			return err
		}
		if h.SyncInfo.LatestBlockHeight > initial+n {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}
