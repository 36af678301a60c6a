// Recall case nd-zeta-node-probebalance
// Source: github.com/zeta-chain/node commit 40b2462272382c78473519d93b865cd6cec65c4e (cmd/probe/probe.go)
// Link: https://github.com/zeta-chain/node/commit/40b2462272382c78473519d93b865cd6cec65c4e
// Bug: Probe.GetBalance and Probe.GetZetaBalance issue eth JSON-RPC calls (BalanceAt, CallContract) with context.Background(), so a stalled RPC endpoint blocks the probe forever.
// Fix: Both calls now use a context.WithTimeout(context.Background(), 1*time.Second) context.
// Rule: nodeadline
package probe

import (
	"context"
	"math/big"
)

type Probe struct {
	Client       *Client
	TokenAddress Address
	Address      Address
	ChainID      *big.Int
	ChainName    string
}

func NewProbe(client *Client, address string, chainID *big.Int, tokenAddress string) *Probe {
	return &Probe{
		Client:       client,
		Address:      Address(address),
		ChainID:      chainID,
		TokenAddress: Address(tokenAddress),
	}
}

// no decimals
func (probe *Probe) GetBalance() (*big.Int, error) {
	bal, err := probe.Client.BalanceAt(context.Background(), probe.Address, nil)
	if err != nil {
		return nil, err
	} else {
		return bal.Div(bal, big.NewInt(1e18)), nil
	}
}

func (probe *Probe) GetZetaBalance() (*big.Int, error) {
	input := append([]byte{0x70, 0xa0, 0x82, 0x31}, []byte(probe.Address)...) // balanceOf(address)
	res, err := probe.Client.CallContract(context.Background(), CallMsg{
		From: probe.Address,
		To:   &probe.TokenAddress,
		Data: input,
	}, nil)
	if err != nil {
		return nil, err
	}
	bal, _ := new(big.Int).SetString(string(res), 0)
	if bal == nil {
		bal = new(big.Int)
	}
	return bal.Div(bal, big.NewInt(1e18)), nil
}
