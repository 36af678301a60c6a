// Recall case sc-loop-htlcsweep
// Source: github.com/lightninglabs/loop commit aadf6e2daae0d3b09b4305a44aec05d0bf1d3523 (staticaddr/loopin/actions.go)
// Link: https://github.com/lightninglabs/loop/commit/aadf6e2daae0d3b09b4305a44aec05d0bf1d3523
// Bug: SweepHtlcTimeoutAction's retry loop only logs ctx.Err() when the context is cancelled and then keeps retrying (and otherwise sleeps an hour in a default branch), so cancellation never stops the loop.
// Fix: select on ctx.Done() and time.After together and return f.HandleError(ctx.Err()) on cancellation.
// Rule: swallowcancel
package loopin

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"
)

// EventType is a stand-in for fsm.EventType.
type EventType string

// EventContext is a stand-in for fsm.EventContext.
type EventContext interface{}

const (
	OnError                     EventType = "OnError"
	OnHtlcTimeoutSweepPublished EventType = "OnHtlcTimeoutSweepPublished"

	defaultConfTarget = 3
)

// rpcClient is a small stand-in for the lnd gRPC clients (WalletKit,
// LndClient): every call is a real HTTP round trip using the caller's ctx.
type rpcClient struct {
	baseURL string
	http    *http.Client
}

func (c *rpcClient) call(ctx context.Context, method string, body string,
	out any) error {

	req, err := http.NewRequestWithContext(
		ctx, http.MethodPost, c.baseURL+"/"+method,
		strings.NewReader(body),
	)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: unexpected status %d", method,
			resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

type WalletKit struct{ rpcClient }

func (w *WalletKit) EstimateFeeRate(ctx context.Context, confTarget int32) (int64, error) {
	var fee int64
	err := w.call(ctx, "estimatefee", fmt.Sprint(confTarget), &fee)
	return fee, err
}

func (w *WalletKit) PublishTransaction(ctx context.Context, tx []byte, label string) error {
	return w.call(ctx, "publishtransaction", label+":"+string(tx), nil)
}

type LndClient struct{ rpcClient }

type Info struct{ BlockHeight uint32 }

func (l *LndClient) GetInfo(ctx context.Context) (*Info, error) {
	var info Info
	err := l.call(ctx, "getinfo", "", &info)
	return &info, err
}

type Config struct {
	WalletKit *WalletKit
	LndClient *LndClient
}

type StaticAddressLoopIn struct {
	SwapHash                string
	HtlcTimeoutSweepAddress string
	HtlcTimeoutSweepTxHash  *string
}

func (l *StaticAddressLoopIn) createHtlcSweepTx(feeRate int64,
	height uint32) ([]byte, error) {

	if l.HtlcTimeoutSweepAddress == "" {
		return nil, fmt.Errorf("no sweep address")
	}
	return []byte(fmt.Sprintf("%s:%d:%d", l.HtlcTimeoutSweepAddress,
		feeRate, height)), nil
}

// FSM is the state machine of a static address loop-in.
type FSM struct {
	cfg             *Config
	loopIn          *StaticAddressLoopIn
	LastActionError error
}

// HandleError is a stand-in for fsm.StateMachine.HandleError.
func (f *FSM) HandleError(err error) EventType {
	log.Printf("StateMachine error: %s", err)
	f.LastActionError = err
	return OnError
}

func (f *FSM) Errorf(format string, args ...any) {
	log.Printf("loopin "+f.loopIn.SwapHash+": "+format, args...)
}

// SweepHtlcTimeoutAction is called if the server published the htlc tx without
// paying the invoice. We wait for the timeout path to open up and sweep the
// funds back to us.
func (f *FSM) SweepHtlcTimeoutAction(ctx context.Context,
	_ EventContext) EventType {

	for {
		err := f.createAndPublishHtlcTimeoutSweepTx(ctx)
		if err == nil {
			break
		}

		f.Errorf("unable to create and publish htlc timeout sweep "+
			"tx: %v, retrying in  %v", err, time.Hour.String())

		select {
		case <-ctx.Done():
			f.Errorf("%v", ctx.Err())

		default:
			<-time.After(1 * time.Hour)
		}
	}

	return OnHtlcTimeoutSweepPublished
}

func (f *FSM) createAndPublishHtlcTimeoutSweepTx(ctx context.Context) error {
	// Get a fee rate.
	feeRate, err := f.cfg.WalletKit.EstimateFeeRate(ctx, defaultConfTarget)
	if err != nil {
		return err
	}

	getInfo, err := f.cfg.LndClient.GetInfo(ctx)
	if err != nil {
		return err
	}

	// Create htlc timeout transaction.
	timeoutTx, err := f.loopIn.createHtlcSweepTx(
		feeRate, getInfo.BlockHeight,
	)
	if err != nil {
		return fmt.Errorf("unable to create htlc timeout sweep tx: %w",
			err)
	}

	// Broadcast htlc timeout transaction.
	txLabel := fmt.Sprintf("htlc-timeout-sweep-%v", f.loopIn.SwapHash)

	err = f.cfg.WalletKit.PublishTransaction(ctx, timeoutTx, txLabel)
	if err != nil {
		e := err.Error()
		if !strings.Contains(e, "output already spent") {
			f.Errorf("%v: %v", txLabel, err)
			f.LastActionError = err
			return err
		}
	} else {
		hash := fmt.Sprintf("%x", timeoutTx)
		f.loopIn.HtlcTimeoutSweepTxHash = &hash
	}

	return nil
}
