// Recall case sc-tendermint-witnessctx
// Source: github.com/tendermint/tendermint commit b69ac23fd20bdc00dea00c7c8a69fa66f2e675a9 (light/client.go, light/detector.go)
// Link: https://github.com/tendermint/tendermint/commit/b69ac23fd20bdc00dea00c7c8a69fa66f2e675a9
// Bug: When ctx is cancelled or times out, the witness LightBlock call fails with a context error that compareNewHeaderWithWitness wraps as errBadWitness, and compareFirstHeaderWithWitnesses ignores errBadWitness unless the reason is ErrBadLightBlock, so it returns nil (success) after a cancelled comparison.
// Fix: Context errors are sent through unchanged and compareFirstHeaderWithWitnesses returns them (errors.Is context.Canceled/DeadlineExceeded) instead of ignoring them.
// Rule: swallowcancel
package light

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"sync"
)

var (
	ErrNoWitnesses        = errors.New("no witnesses connected")
	ErrNoResponse         = errors.New("client failed to respond")
	ErrLightBlockNotFound = errors.New("light block not found")
)

// ErrBadLightBlock is returned when a provider returns an invalid light block.
type ErrBadLightBlock struct{ Reason error }

func (e ErrBadLightBlock) Error() string { return "client provided bad signed header: " + e.Reason.Error() }

type SignedHeader struct {
	Height int64
	Hash   []byte
}

type LightBlock struct {
	SignedHeader
}

// Provider stands in for provider.Provider.
type Provider interface {
	LightBlock(ctx context.Context, height int64) (*LightBlock, error)
}

// httpProvider fetches light blocks from an RPC endpoint.
type httpProvider struct {
	client *http.Client
	remote string
}

func (p *httpProvider) LightBlock(ctx context.Context, height int64) (*LightBlock, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/light_block?height=%d", p.remote, height), nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, ErrNoResponse
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, ErrLightBlockNotFound
	}
	var lb LightBlock
	if err := json.NewDecoder(resp.Body).Decode(&lb); err != nil {
		return nil, ErrBadLightBlock{Reason: err}
	}
	return &lb, nil
}

type errConflictingHeaders struct {
	Block        *LightBlock
	WitnessIndex int
}

func (e errConflictingHeaders) Error() string {
	return fmt.Sprintf("header hash (%X) from witness (%d) does not match primary", e.Block.Hash, e.WitnessIndex)
}

type errBadWitness struct {
	Reason       error
	WitnessIndex int
}

func (e errBadWitness) Error() string {
	return fmt.Sprintf("Witness %d returned error: %s", e.WitnessIndex, e.Reason.Error())
}

type Client struct {
	providerMutex sync.Mutex
	witnesses     []Provider
}

func (c *Client) removeWitnesses(indexes []int) error {
	for i := len(indexes) - 1; i >= 0; i-- {
		idx := indexes[i]
		c.witnesses = append(c.witnesses[:idx], c.witnesses[idx+1:]...)
	}
	return nil
}

// compareFirstHeaderWithWitnesses compares h with all witnesses. If any
// witness reports a different header than h, the function returns an error.
func (c *Client) compareFirstHeaderWithWitnesses(ctx context.Context, h *SignedHeader) error {
	compareCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	c.providerMutex.Lock()
	defer c.providerMutex.Unlock()

	if len(c.witnesses) < 1 {
		return ErrNoWitnesses
	}

	errc := make(chan error, len(c.witnesses))
	for i, witness := range c.witnesses {
		go c.compareNewHeaderWithWitness(compareCtx, errc, h, witness, i)
	}

	witnessesToRemove := make([]int, 0, len(c.witnesses))

	// handle errors from the header comparisons as they come in
	for i := 0; i < cap(errc); i++ {
		err := <-errc

		switch e := err.(type) {
		case nil:
			continue
		case errConflictingHeaders:
			log.Printf("Witness #%d has a different header. Please check primary is correct and remove witness", e.WitnessIndex)
			return err
		case errBadWitness:
			// If witness sent us an invalid header, then remove it. If it didn't
			// respond or couldn't find the block, then we ignore it and move on to
			// the next witness.
			if _, ok := e.Reason.(ErrBadLightBlock); ok {
				log.Printf("Witness sent us invalid header / vals -> removing it: %v", err)
				witnessesToRemove = append(witnessesToRemove, e.WitnessIndex)
			}
		}
	}

	// remove witnesses that have misbehaved
	if err := c.removeWitnesses(witnessesToRemove); err != nil {
		return err
	}

	return nil
}

// compareNewHeaderWithWitness takes the verified header from the primary and compares it with a
// header from a specified witness.
func (c *Client) compareNewHeaderWithWitness(ctx context.Context, errc chan error, h *SignedHeader,
	witness Provider, witnessIndex int) {

	lightBlock, err := witness.LightBlock(ctx, h.Height)
	switch err {
	// no error means we move on to checking the hash of the two headers
	case nil:
		break

	// the witness hasn't been helpful in comparing headers, we mark the response and continue
	// comparing with the rest of the witnesses
	case ErrNoResponse, ErrLightBlockNotFound:
		errc <- err
		return

	default:
		// all other errors (i.e. invalid block, closed connection or unreliable provider) we mark the
		// witness as bad and remove it
		errc <- errBadWitness{Reason: err, WitnessIndex: witnessIndex}
		return
	}

	if !bytes.Equal(h.Hash, lightBlock.Hash) {
		errc <- errConflictingHeaders{Block: lightBlock, WitnessIndex: witnessIndex}
		return
	}

	errc <- nil
}
