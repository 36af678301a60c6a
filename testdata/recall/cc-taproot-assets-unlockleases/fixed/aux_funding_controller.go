// Recall case cc-taproot-assets-unlockleases
// Source: github.com/lightninglabs/taproot-assets commit e62028802949556107b0858a657cac70276a0353 (tapchannel/aux_funding_controller.go)
// Link: https://github.com/lightninglabs/taproot-assets/commit/e62028802949556107b0858a657cac70276a0353
// Bug: The unlockLeases cleanup closure (run from defers when funding fails or is abandoned) releases the locked wallet and asset inputs with fundReq.ctx, the caller's request context, which is typically already cancelled by then, so the unlock RPC/DB calls fail with "context canceled" and the inputs stay locked.
// Fix: unlockLeases now uses a fresh context.Background() for unlockInputs and unlockAssetInputs.
// Rule: cleanupctx
package tapchannel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const ackTimeout = 30 * time.Second

// OutPoint stands in for wire.OutPoint.
type OutPoint string

// WalletAnchor stands in for tapgarden.WalletAnchor (lnd wallet RPC).
type WalletAnchor interface {
	UnlockInput(ctx context.Context, op OutPoint) error
}

// CoinSelector stands in for tapfreighter.CoinSelector (backed by the DB).
type CoinSelector interface {
	ReleaseCoins(ctx context.Context, ops ...OutPoint) error
}

// rpcWallet reaches lnd over HTTP.
type rpcWallet struct {
	client *http.Client
	base   string
}

func (w *rpcWallet) UnlockInput(ctx context.Context, op OutPoint) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		w.base+"/v2/wallet/utxos/leases/release?outpoint="+url.QueryEscape(string(op)), nil)
	if err != nil {
		return err
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// dbCoinSelector releases leases in the database.
type dbCoinSelector struct {
	db *sql.DB
}

func (c *dbCoinSelector) ReleaseCoins(ctx context.Context, ops ...OutPoint) error {
	for _, op := range ops {
		_, err := c.db.ExecContext(ctx,
			"UPDATE managed_utxos SET lease_owner = NULL WHERE outpoint = ?", string(op))
		if err != nil {
			return fmt.Errorf("unable to release coins: %w", err)
		}
	}
	return nil
}

type pendingAssetFunding struct {
	lockedInputs      []OutPoint
	lockedAssetInputs []OutPoint
	fundingAckChan    chan bool
}

// unlockInputs unlocks any inputs that were locked during the funding process.
func (p *pendingAssetFunding) unlockInputs(ctx context.Context,
	wallet WalletAnchor) error {

	for _, outpoint := range p.lockedInputs {
		if err := wallet.UnlockInput(ctx, outpoint); err != nil {
			return fmt.Errorf("unable to unlock outpoint %v: %w",
				outpoint, err)
		}
	}

	return nil
}

// unlockAssetInputs unlocks any asset inputs that were locked during the
// funding process.
func (p *pendingAssetFunding) unlockAssetInputs(ctx context.Context,
	coinSelect CoinSelector) error {

	err := coinSelect.ReleaseCoins(ctx, p.lockedAssetInputs...)
	if err != nil {
		return fmt.Errorf("unable to unlock asset outpoints %v: %w",
			p.lockedAssetInputs, err)
	}

	return nil
}

type FundingConfig struct {
	ChainWallet  WalletAnchor
	CoinSelector CoinSelector
}

type FundingController struct {
	cfg  FundingConfig
	Wg   sync.WaitGroup
	Quit chan struct{}
}

type FundReq struct {
	AssetID     string
	AssetAmount uint64

	ctx      context.Context
	respChan chan *OutPoint
	errChan  chan error
}

func (f *FundingController) fundVirtualPacket(ctx context.Context,
	assetID string, amt uint64) ([]OutPoint, error) {

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return []OutPoint{OutPoint(assetID + ":1")}, nil
}

func (f *FundingController) sendInputOwnershipProofs(state *pendingAssetFunding) error {
	return nil
}

func (f *FundingController) completeChannelFunding(ctx context.Context,
	state *pendingAssetFunding) (*OutPoint, error) {

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	op := OutPoint("funding:0")
	return &op, nil
}

// processFundingReq processes a new funding request from the main goroutine.
func (f *FundingController) processFundingReq(fundReq *FundReq) error {
	fundingState := &pendingAssetFunding{
		fundingAckChan: make(chan bool, 1),
	}

	inputs, err := f.fundVirtualPacket(
		fundReq.ctx, fundReq.AssetID, fundReq.AssetAmount,
	)
	if err != nil {
		return fmt.Errorf("unable to fund vPacket: %w", err)
	}
	fundingState.lockedAssetInputs = inputs

	// We'll use this closure to ensure that we'll always unlock the inputs
	// if we encounter an error below.
	unlockLeases := func() {
		ctxb := context.Background()
		err := fundingState.unlockInputs(ctxb, f.cfg.ChainWallet)
		if err != nil {
			log.Printf("unable to unlock inputs: %v", err)
		}

		err = fundingState.unlockAssetInputs(ctxb, f.cfg.CoinSelector)
		if err != nil {
			log.Printf("Unable to unlock asset inputs: %v", err)
		}
	}

	// Register a defer to execute if none of the set up below succeeds.
	var setupSuccess bool
	defer func() {
		if !setupSuccess {
			unlockLeases()
		}
	}()

	if err := f.sendInputOwnershipProofs(fundingState); err != nil {
		return fmt.Errorf("unable to send input ownership "+
			"proofs: %w", err)
	}

	setupSuccess = true

	f.Wg.Add(1)
	go func() {
		defer f.Wg.Done()

		var completeSuccess bool
		defer func() {
			if !completeSuccess {
				unlockLeases()
			}
		}()

		select {
		case accept := <-fundingState.fundingAckChan:
			if !accept {
				return
			}

		case <-time.After(ackTimeout):
			fundReq.errChan <- errors.New("didn't receive funding ack")
			return

		case <-f.Quit:
			return
		}

		chanPoint, err := f.completeChannelFunding(fundReq.ctx, fundingState)
		if err != nil {
			fundReq.errChan <- err
			return
		}

		completeSuccess = true
		fundReq.respChan <- chanPoint
	}()

	return nil
}

// FundChannel attempts to fund a new channel.
func (f *FundingController) FundChannel(ctx context.Context,
	req FundReq) (*OutPoint, error) {

	req.ctx = ctx
	req.respChan = make(chan *OutPoint, 1)
	req.errChan = make(chan error, 1)

	if err := f.processFundingReq(&req); err != nil {
		return nil, err
	}

	select {
	case op := <-req.respChan:
		return op, nil
	case err := <-req.errChan:
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-f.Quit:
		return nil, errors.New("shutting down")
	}
}
