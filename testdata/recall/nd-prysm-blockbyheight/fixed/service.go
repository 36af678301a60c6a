// Recall case nd-prysm-blockbyheight
// Source: github.com/prysmaticlabs/prysm commit 8f342cc5bbb6062e4444de6f276ae39d49cb3763 (beacon-chain/powchain/service.go)
// Link: https://github.com/prysmaticlabs/prysm/commit/8f342cc5bbb6062e4444de6f276ae39d49cb3763
// Bug: BlockHashByHeight and BlockTimeByHeight take a caller ctx but issue the eth1 JSON-RPC BlockByNumber call with the service-lifetime w.ctx (no deadline), so the caller's deadline/cancel never reaches the HTTP call.
// Fix: The RPC calls use the caller's ctx instead of w.ctx.
// Rule: nodeadline
package powchain

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"sync"
)

// Block is the reduced eth1 block.
type Block struct {
	Number *big.Int
	Hash   [32]byte
	Time   uint64
}

// POWBlockFetcher defines a struct that can retrieve mainchain blocks.
type POWBlockFetcher interface {
	BlockByNumber(ctx context.Context, number *big.Int) (*Block, error)
}

// rpcClient is the stand-in for ethclient.Client: a JSON-RPC client over HTTP.
type rpcClient struct {
	endpoint string
	hc       *http.Client
}

func (c *rpcClient) BlockByNumber(ctx context.Context, number *big.Int) (*Block, error) {
	arg := "latest"
	if number != nil {
		arg = fmt.Sprintf("0x%x", number)
	}
	body, err := json.Marshal(map[string]interface{}{
		"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": []interface{}{arg, false},
	})
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
	var out struct {
		Result *Block `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if out.Result == nil {
		return nil, fmt.Errorf("block not found")
	}
	return out.Result, nil
}

type blockCache struct {
	mu       sync.Mutex
	byHeight map[string]*Block
}

func (c *blockCache) BlockInfoByHeight(height *big.Int) (bool, *Block) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.byHeight[height.String()]
	return ok, b
}

func (c *blockCache) AddBlock(b *Block) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byHeight[b.Number.String()] = b
}

// Web3Service fetches important information about the canonical
// Ethereum ETH1.0 chain via a web3 endpoint.
type Web3Service struct {
	ctx          context.Context
	cancel       context.CancelFunc
	blockFetcher POWBlockFetcher
	blockCache   *blockCache
}

// Web3ServiceConfig defines a config struct for web3 service.
type Web3ServiceConfig struct {
	Endpoint string
}

// NewWeb3Service sets up a new instance with an ethclient when
// given a web3 endpoint as a string in the config.
func NewWeb3Service(ctx context.Context, config *Web3ServiceConfig) (*Web3Service, error) {
	ctx, cancel := context.WithCancel(ctx)
	w := &Web3Service{
		ctx:          ctx,
		cancel:       cancel,
		blockFetcher: &rpcClient{endpoint: config.Endpoint, hc: &http.Client{}},
		blockCache:   &blockCache{byHeight: make(map[string]*Block)},
	}
	return w, nil
}

// Stop the web3 service's main event loop and associated goroutines.
func (w *Web3Service) Stop() error {
	if w.cancel != nil {
		defer w.cancel()
	}
	return nil
}
