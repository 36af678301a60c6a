// Recall case sc-flowgo-waitforsealed
// Source: github.com/onflow/flow-go commit 6cb1baeb5f0a6177de7a41a2501d46edb3c7ca8a (module/epochs/base_client.go)
// Link: https://github.com/onflow/flow-go/commit/6cb1baeb5f0a6177de7a41a2501d46edb3c7ca8a
// Bug: WaitForSealed logs any error from GetTransactionResult (including context.Canceled / DeadlineExceeded once ctx expires) and `continue`s the loop without ever checking ctx, so a cancelled ctx turns into a tight infinite retry loop instead of returning the context error.
// Fix: each iteration first checks ctx.Done() and returns ctx.Err(), and the wait between attempts selects on ctx.Done() too.
// Rule: swallowcancel
package epochs

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"
)

const TransactionStatusRetryTimeout = 1 * time.Second

// TransactionStatus is a stand-in for sdk.TransactionStatus.
type TransactionStatus int

const (
	TransactionStatusUnknown TransactionStatus = iota
	TransactionStatusPending
	TransactionStatusFinalized
	TransactionStatusExecuted
	TransactionStatusSealed
	TransactionStatusExpired
)

// TransactionResult is a stand-in for sdk.TransactionResult.
type TransactionResult struct {
	Status TransactionStatus
	Error  error
}

// SDKClientWrapper is a stand-in for module.SDKClientWrapper.
type SDKClientWrapper interface {
	GetTransactionResult(ctx context.Context, txID string) (*TransactionResult, error)
}

// accessClient talks to a Flow access node over HTTP.
type accessClient struct {
	baseURL string
	http    *http.Client
}

func (a *accessClient) GetTransactionResult(ctx context.Context, txID string) (*TransactionResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.baseURL+"/v1/transaction_results/"+txID, nil)
	if err != nil {
		return nil, err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status int    `json:"status"`
		Error  string `json:"error_message"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	res := &TransactionResult{Status: TransactionStatus(body.Status)}
	if body.Error != "" {
		res.Error = fmt.Errorf("%s", body.Error)
	}
	return res, nil
}

// BaseClient represents the core fields and methods needed to create
// a client to a contract on the Flow Network.
type BaseClient struct {
	Log *log.Logger // default logger

	ContractAddress string           // contract address
	FlowClient      SDKClientWrapper // flow access node client
}

// WaitForSealed waits for a transaction to be sealed
func (c *BaseClient) WaitForSealed(ctx context.Context, txID string, started time.Time) error {

	attempts := 1
	for {
		c.Log.Printf("attempt=%d time_elapsed_s=%f", attempts, time.Since(started).Seconds())

		// check for a cancelled/expired context
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}

		result, err := c.FlowClient.GetTransactionResult(ctx, txID)
		if err != nil {
			c.Log.Printf("could not get transaction result: %v", err)
			continue
		}
		if result.Error != nil {
			return fmt.Errorf("error executing transaction: %w", result.Error)
		}
		c.Log.Printf("got transaction result: status=%d", result.Status)

		// if the transaction has expired we skip waiting for seal
		if result.Status == TransactionStatusExpired {
			return fmt.Errorf("transaction has expired")
		}

		if result.Status == TransactionStatusSealed {
			return nil
		}

		attempts++

		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(TransactionStatusRetryTimeout):
			// re-enter the top of the for loop
		}
	}
}
