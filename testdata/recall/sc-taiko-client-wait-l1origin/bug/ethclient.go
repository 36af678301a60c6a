// Recall case sc-taiko-client-wait-l1origin
// Source: github.com/taikoxyz/taiko-client commit 0ebf121dcae5e75d359bc7818aa98fa6f7b1bc20 (pkg/rpc/methods.go)
// Link: https://github.com/taikoxyz/taiko-client/commit/0ebf121dcae5e75d359bc7818aa98fa6f7b1bc20
// Bug: When the internal polling timeout (ctxWithTimeout) expires, WaitL1Origin returns ctx.Err() of the parent context, which is nil, so a DeadlineExceeded is turned into (nil, nil) success.
// Fix: Return ctxWithTimeout.Err() so the deadline error is propagated to the caller.
// Rule: swallowcancel
package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
)

// L1Origin is a stand-in for rawdb.L1Origin.
type L1Origin struct {
	BlockID       *big.Int `json:"blockID"`
	L1BlockHeight *big.Int `json:"l1BlockHeight"`
	L1BlockHash   string   `json:"l1BlockHash"`
}

// EthClient is a stand-in for the L2 execution engine JSON-RPC client.
type EthClient struct {
	endpoint string
	hc       *http.Client
}

type rpcRequest struct {
	JSONRPC string        `json:"jsonrpc"`
	ID      int           `json:"id"`
	Method  string        `json:"method"`
	Params  []interface{} `json:"params"`
}

type rpcResponse struct {
	Result *L1Origin `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// L1OriginByID calls taiko_l1OriginByID over JSON-RPC with the given ctx.
func (c *EthClient) L1OriginByID(ctx context.Context, blockID *big.Int) (*L1Origin, error) {
	body, err := json.Marshal(rpcRequest{JSONRPC: "2.0", ID: 1, Method: "taiko_l1OriginByID", Params: []interface{}{blockID.String()}})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out rpcResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if out.Error != nil {
		return nil, fmt.Errorf("rpc error: %s", out.Error.Message)
	}
	return out.Result, nil
}
