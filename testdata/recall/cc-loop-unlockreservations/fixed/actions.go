// Recall case cc-loop-unlockreservations
// Source: github.com/lightninglabs/loop commit 29c92a10ea77accca068a7612931523de012c190 (instantout/actions.go)
// Link: https://github.com/lightninglabs/loop/commit/29c92a10ea77accca068a7612931523de012c190
// Bug: handleErrorAndUnlockReservations is reached from error paths and from the <-ctx.Done() arm of PollPaymentAcceptedAction, but derives its 30s cleanup context from that (already cancelled) ctx, so UnlockReservation and the CancelInstantSwap RPC in the goroutine fail immediately and the reservations stay locked.
// Fix: build the cleanup contexts from context.Background() with a fresh 30s timeout (one for the unlocks and an independent one inside the goroutine).
// Rule: cleanupctx
package instantout

import (
	"context"
	"database/sql"
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
	OnError           EventType = "OnError"
	OnPaymentAccepted EventType = "OnPaymentAccepted"

	defaultPollPaymentTime = time.Second * 15
)

type ID [32]byte

type Reservation struct {
	ID ID
}

// ReservationManager persists reservation state in the local database.
type ReservationManager struct {
	db *sql.DB
}

func (m *ReservationManager) LockReservation(ctx context.Context, id ID) error {
	_, err := m.db.ExecContext(
		ctx, "UPDATE reservations SET state='locked' WHERE id=$1",
		id[:],
	)
	return err
}

func (m *ReservationManager) UnlockReservation(ctx context.Context, id ID) error {
	_, err := m.db.ExecContext(
		ctx, "UPDATE reservations SET state='confirmed' WHERE id=$1",
		id[:],
	)
	return err
}

type CancelInstantSwapRequest struct{ SwapHash []byte }
type PollPaymentAcceptedRequest struct{ SwapHash []byte }
type PollPaymentAcceptedResponse struct{ Accepted bool }

// InstantOutClient is a stand-in for the swap server gRPC client.
type InstantOutClient struct {
	serverURL string
	http      *http.Client
}

func (c *InstantOutClient) post(ctx context.Context, method string,
	hash []byte) (*http.Response, error) {

	req, err := http.NewRequestWithContext(
		ctx, http.MethodPost, c.serverURL+"/"+method,
		strings.NewReader(fmt.Sprintf("%x", hash)),
	)
	if err != nil {
		return nil, err
	}
	return c.http.Do(req)
}

func (c *InstantOutClient) CancelInstantSwap(ctx context.Context,
	in *CancelInstantSwapRequest) (struct{}, error) {

	resp, err := c.post(ctx, "CancelInstantSwap", in.SwapHash)
	if err != nil {
		return struct{}{}, err
	}
	resp.Body.Close()
	return struct{}{}, nil
}

func (c *InstantOutClient) PollPaymentAccepted(ctx context.Context,
	in *PollPaymentAcceptedRequest) (*PollPaymentAcceptedResponse, error) {

	resp, err := c.post(ctx, "PollPaymentAccepted", in.SwapHash)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return &PollPaymentAcceptedResponse{
		Accepted: resp.StatusCode == http.StatusOK,
	}, nil
}

type Config struct {
	ReservationManager *ReservationManager
	InstantOutClient   *InstantOutClient
}

type InstantOut struct {
	SwapHash     [32]byte
	Reservations []*Reservation
}

// FSM is the state machine of an instant out swap.
type FSM struct {
	cfg             *Config
	InstantOut      *InstantOut
	LastActionError error
}

func (f *FSM) HandleError(err error) EventType {
	log.Printf("StateMachine error: %v", err)
	f.LastActionError = err
	return OnError
}

func (f *FSM) Errorf(format string, args ...any) { log.Printf(format, args...) }
func (f *FSM) Debugf(format string, args ...any) { log.Printf(format, args...) }

// PollPaymentAcceptedAction locks the reservations, sends the payment to the
// server and polls the server for the payment status.
func (f *FSM) PollPaymentAcceptedAction(ctx context.Context,
	_ EventContext) EventType {

	// Now that we're doing the swap, we first lock the reservations
	// so that they can't be used for other swaps.
	for _, reservation := range f.InstantOut.Reservations {
		err := f.cfg.ReservationManager.LockReservation(
			ctx, reservation.ID,
		)
		if err != nil {
			return f.handleErrorAndUnlockReservations(ctx, err)
		}
	}

	// We'll continuously poll the server for the payment status.
	pollPaymentTries := 0

	// We want to poll quickly the first time.
	timer := time.NewTimer(time.Second)
	for {
		select {
		case <-ctx.Done():
			return f.handleErrorAndUnlockReservations(ctx, nil)

		case <-timer.C:
			res, err := f.cfg.InstantOutClient.PollPaymentAccepted(
				ctx,
				&PollPaymentAcceptedRequest{
					SwapHash: f.InstantOut.SwapHash[:],
				},
			)
			if err != nil {
				pollPaymentTries++
				if pollPaymentTries > 20 {
					return f.handleErrorAndUnlockReservations(ctx, err)
				}
			}
			if res != nil && res.Accepted {
				return OnPaymentAccepted
			}
			timer.Reset(defaultPollPaymentTime)
		}
	}
}

// handleErrorAndUnlockReservations handles an error and unlocks the
// reservations.
func (f *FSM) handleErrorAndUnlockReservations(_ context.Context,
	err error) EventType {
	// We very likely got here from a canceled parent context (caller
	// timeout, daemon shutdown, etc.). Deriving with timeout from a
	// canceled parent yields an already-done context, so neither the
	// local UnlockReservation calls nor the server-side CancelInstantSwap
	// RPC would ever get a chance to run. Detach from the caller's
	// context entirely.
	ctx, cancel := context.WithTimeout(
		context.Background(), time.Second*30,
	)
	defer cancel()

	// Unlock the reservations.
	for _, reservation := range f.InstantOut.Reservations {
		err := f.cfg.ReservationManager.UnlockReservation(
			ctx, reservation.ID,
		)
		if err != nil {
			f.Errorf("error unlocking reservation: %v", err)
			return f.HandleError(err)
		}
	}

	// We're also sending the server a cancel message so that it can
	// release the reservations. This runs in a goroutine because we
	// want to fail the FSM early -- but it must use its OWN background
	// context with timeout, not derive from the cancel above (which
	// fires the moment this function returns).
	go func() {
		cancelCtx, cancel := context.WithTimeout(
			context.Background(), time.Second*30,
		)
		defer cancel()
		_, cancelErr := f.cfg.InstantOutClient.CancelInstantSwap(
			cancelCtx, &CancelInstantSwapRequest{
				SwapHash: f.InstantOut.SwapHash[:],
			},
		)
		if cancelErr != nil {
			// We'll log the error but not return it as we want
			// to return the original error.
			f.Debugf("error sending cancel message: %v", cancelErr)
		}
	}()

	return f.HandleError(err)
}
