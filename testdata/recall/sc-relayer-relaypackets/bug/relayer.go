// Recall case sc-relayer-relaypackets
// Source: github.com/cosmos/relayer commit f8fa9e2d7f241ade212e7787516b77b552559fb2 (relayer/naive-strategy.go)
// Link: https://github.com/cosmos/relayer/commit/f8fa9e2d7f241ade212e7787516b77b552559fb2
// Bug: RelayPackets sends the batched messages through (*RelayMsgs).Send, which only logs SendMessages errors (including context cancellation) and has no return value, and then RelayPackets returns nil, so a cancelled/expired ctx during sending is reported as success.
// Fix: RelayPackets (and RelayAcknowledgements) return ctx.Err() at the end instead of nil.
// Rule: swallowcancel
package relayer

import (
	"bytes"
	"context"
	"log"
	"net/http"
)

// RelayerMessage is a message to be relayed.
type RelayerMessage interface {
	MsgBytes() ([]byte, error)
}

// ChainProvider submits transactions to a chain.
type ChainProvider interface {
	SendMessages(ctx context.Context, msgs []RelayerMessage) (*http.Response, bool, error)
}

// rpcProvider is a stand-in for the cosmos provider: it broadcasts txs over HTTP.
type rpcProvider struct {
	client *http.Client
	addr   string
}

func (p *rpcProvider) SendMessages(ctx context.Context, msgs []RelayerMessage) (*http.Response, bool, error) {
	var buf bytes.Buffer
	for _, m := range msgs {
		bz, err := m.MsgBytes()
		if err != nil {
			return nil, false, err
		}
		buf.Write(bz)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.addr+"/broadcast_tx_commit", &buf)
	if err != nil {
		return nil, false, err
	}
	res, err := p.client.Do(req)
	if err != nil {
		return nil, false, err
	}
	defer res.Body.Close()
	return res, res.StatusCode == http.StatusOK, nil
}

// Chain is one side of a path.
type Chain struct {
	ChainID       string
	ChainProvider ChainProvider
}

func (c *Chain) LogFailedTx(res *http.Response, err error, msgs []RelayerMessage) {
	log.Printf("chain %s: failed to send %d msgs: %v", c.ChainID, len(msgs), err)
}

// RelayMsgs contains the msgs that need to be sent to both a src and dst chain.
type RelayMsgs struct {
	Src       []RelayerMessage
	Dst       []RelayerMessage
	Succeeded bool
}

func (r *RelayMsgs) Ready() bool {
	return r != nil && (len(r.Src) != 0 || len(r.Dst) != 0)
}

func (r *RelayMsgs) Success() bool { return r.Succeeded }

// Send sends the messages with appropriate output.
func (r *RelayMsgs) Send(ctx context.Context, src, dst *Chain) {
	r.Succeeded = true
	if len(r.Src) > 0 {
		res, success, err := src.ChainProvider.SendMessages(ctx, r.Src)
		if err != nil {
			src.LogFailedTx(res, err, r.Src)
		}
		r.Succeeded = r.Succeeded && success
	}
	if len(r.Dst) > 0 {
		res, success, err := dst.ChainProvider.SendMessages(ctx, r.Dst)
		if err != nil {
			dst.LogFailedTx(res, err, r.Dst)
		}
		r.Succeeded = r.Succeeded && success
	}
}

// RelayPackets creates transactions to relay packets from src to dst and from dst to src.
func RelayPackets(ctx context.Context, src, dst *Chain, srcMsgs, dstMsgs []RelayerMessage) error {
	msgs := &RelayMsgs{Src: srcMsgs, Dst: dstMsgs}

	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
		if !msgs.Ready() {
			log.Printf("No packets to relay")
			return nil
		}

		// send messages to their respective chains
		if msgs.Send(ctx, src, dst); msgs.Success() {
			log.Printf("relayed %d packets to %s and %d to %s", len(msgs.Dst), dst.ChainID, len(msgs.Src), src.ChainID)
		}

		return nil
	}
}
