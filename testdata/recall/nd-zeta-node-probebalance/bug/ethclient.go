// Recall case nd-zeta-node-probebalance
// Source: github.com/zeta-chain/node commit 40b2462272382c78473519d93b865cd6cec65c4e (cmd/probe/probe.go)
// Link: https://github.com/zeta-chain/node/commit/40b2462272382c78473519d93b865cd6cec65c4e
// Bug: Probe.GetBalance and Probe.GetZetaBalance issue eth JSON-RPC calls (BalanceAt, CallContract) with context.Background(), so a stalled RPC endpoint blocks the probe forever.
// Fix: Both calls now use a context.WithTimeout(context.Background(), 1*time.Second) context.
// Rule: nodeadline
package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
)

// Address stands in for ethcommon.Address.
type Address string

// CallMsg stands in for ethereum.CallMsg.
type CallMsg struct {
	From Address
	To   *Address
	Data []byte
}

// Client is a minimal stand-in for go-ethereum's ethclient.Client: every
// method performs a JSON-RPC request over HTTP using the given context.
type Client struct {
	http *http.Client
	url  string
}

// NewClient wraps an HTTP transport supplied by the caller (as rpc.DialHTTPWithClient does).
func NewClient(url string, hc *http.Client) *Client {
	return &Client{http: hc, url: url}
}

func (c *Client) call(ctx context.Context, result any, method string, params ...any) error {
	body, err := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "id": 1, "method": method, "params": params,
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return err
	}
	return json.Unmarshal(out.Result, result)
}

// BalanceAt returns the wei balance of the given account.
func (c *Client) BalanceAt(ctx context.Context, account Address, blockNumber *big.Int) (*big.Int, error) {
	var hex string
	if err := c.call(ctx, &hex, "eth_getBalance", account, "latest"); err != nil {
		return nil, err
	}
	v, ok := new(big.Int).SetString(hex, 0)
	if !ok {
		return nil, fmt.Errorf("bad balance %q", hex)
	}
	return v, nil
}

// CallContract executes a message call transaction.
func (c *Client) CallContract(ctx context.Context, msg CallMsg, blockNumber *big.Int) ([]byte, error) {
	var hex string
	arg := map[string]any{"from": msg.From, "to": msg.To, "data": fmt.Sprintf("0x%x", msg.Data)}
	if err := c.call(ctx, &hex, "eth_call", arg, "latest"); err != nil {
		return nil, err
	}
	return []byte(hex), nil
}
