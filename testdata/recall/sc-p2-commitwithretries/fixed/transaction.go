// Recall case sc-p2-commitwithretries
// Source: github.com/square/p2 commit 5f85aeba2835f526555d56bfc31d049815891f46 (pkg/store/consul/transaction/transaction.go)
// Link: https://github.com/square/p2/commit/5f85aeba2835f526555d56bfc31d049815891f46
// Bug: CommitWithRetries uses "break" inside a select on ctx.Done(), which only leaves the select, so after the context is cancelled Commit keeps returning ctx.Err() and the loop retries it forever with backoff.
// Fix: the retry loop is wrapped in a closure that returns on ctx.Done(), so CommitWithRetries stops retrying and returns the context error.
// Rule: swallowcancel
package transaction

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

type contextKeyType struct{}

const maxAllowedOperations = 64

var (
	ErrTooManyOperations = errors.New("consul transactions cannot have more than 64 operations")

	contextKey = contextKeyType{}
)

// Stand-ins for github.com/hashicorp/consul/api types.
type KVTxnOp struct {
	Verb  string
	Key   string
	Value []byte
}

type KVTxnOps []*KVTxnOp

type TxnError struct {
	OpIndex int
	What    string
}

type KVTxnResponse struct {
	Errors []*TxnError
}

type Txner interface {
	Txn(txn KVTxnOps) (bool, *KVTxnResponse, error)
}

// HTTPTxner sends the transaction to consul's /v1/txn endpoint.
type HTTPTxner struct {
	Addr   string
	Client *http.Client
}

func NewHTTPTxner(addr string) HTTPTxner {
	return HTTPTxner{Addr: addr, Client: &http.Client{Timeout: 30 * time.Second}}
}

func (h HTTPTxner) Txn(ops KVTxnOps) (bool, *KVTxnResponse, error) {
	body, err := json.Marshal(ops)
	if err != nil {
		return false, nil, err
	}
	req, err := http.NewRequest(http.MethodPut, h.Addr+"/v1/txn", bytes.NewReader(body))
	if err != nil {
		return false, nil, err
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		return false, nil, err
	}
	defer resp.Body.Close()
	out := new(KVTxnResponse)
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return false, nil, err
	}
	return resp.StatusCode == http.StatusOK, out, nil
}

type tx struct {
	kvOps       *KVTxnOps
	committed   bool
	committedMu sync.Mutex
}

func New(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancelFunc := context.WithCancel(ctx)
	kvOps := new(KVTxnOps)
	txn, err := getTxnFromContext(ctx)
	if err == nil {
		*kvOps = *txn.kvOps
	}
	ctx = context.WithValue(ctx, contextKey, &tx{
		kvOps: kvOps,
	})
	return ctx, cancelFunc
}

func Add(ctx context.Context, op KVTxnOp) error {
	txn, err := getTxnFromContext(ctx)
	if err != nil {
		return err
	}

	txn.committedMu.Lock()
	defer txn.committedMu.Unlock()
	if txn.committed {
		return fmt.Errorf("transaction was already committed")
	}

	if len(*txn.kvOps) == maxAllowedOperations {
		return ErrTooManyOperations
	}
	*txn.kvOps = append(*txn.kvOps, &op)

	return nil
}

// Commit attempts to run all of the kv operations in the context's
// transaction.
func Commit(ctx context.Context, txner Txner) (bool, *KVTxnResponse, error) {
	txn, err := getTxnFromContext(ctx)
	if err != nil {
		return false, nil, err
	}

	txn.committedMu.Lock()
	defer txn.committedMu.Unlock()
	if txn.committed {
		return false, nil, fmt.Errorf("transaction was already run")
	}

	if len(*txn.kvOps) == 0 {
		txn.committed = true
		return true, new(KVTxnResponse), nil
	}

	select {
	case <-ctx.Done():
		return false, nil, ctx.Err()
	default:
	}

	ok, resp, err := txner.Txn(*txn.kvOps)
	if err != nil {
		return false, nil, fmt.Errorf("transaction failed: %s", err)
	}

	txn.committed = true

	return ok, resp, err
}

// CommitWithRetries retries Commit() until the transaction is applied without
// an error.
//
// An exponential backoff strategy is used until the context is cancelled with
// a max backoff time of 10 seconds
func CommitWithRetries(ctx context.Context, txner Txner) (bool, *KVTxnResponse, error) {
	var ok bool
	var resp *KVTxnResponse
	var err error
	f := func() error {
		ok, resp, err = Commit(ctx, txner)
		return err
	}

	// Need this anonymous function because you can't use "break" in a
	// select, you have to return :(
	func() {
		backoff := 100 * time.Millisecond
		for err := f(); err != nil; err = f() {
			select {
			case <-ctx.Done():
				return
			default:
			}

			backoff = backoff * 2
			if backoff > 10*time.Second {
				backoff = 10 * time.Second
			}
			time.Sleep(backoff)
		}
	}()

	return ok, resp, err
}

func getTxnFromContext(ctx context.Context) (*tx, error) {
	txnValue := ctx.Value(contextKey)
	if txnValue == nil {
		return nil, fmt.Errorf("no transaction was opened on the passed Context")
	}

	txn, ok := txnValue.(*tx)
	if !ok {
		return nil, fmt.Errorf("the transaction value on the context had the wrong type!")
	}

	return txn, nil
}
