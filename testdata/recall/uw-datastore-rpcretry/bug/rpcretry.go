// Recall case uw-datastore-rpcretry
// Source: github.com/mercari/datastore commit d193c836f05cf4baecdfa6bc4e30d451b17554c4 (dsmiddleware/rpcretry/rpcretry.go)
// Link: https://github.com/mercari/datastore/commit/d193c836f05cf4baecdfa6bc4e30d451b17554c4
// Bug: retryHandler.try has the RPC ctx but waits between retries with time.Sleep(d), so a cancelled or expired context still sits out the full backoff and keeps retrying.
// Fix: Replace time.Sleep with a timer and select on ctx.Done(), returning as soon as the context is done.
// Rule: uncancellablewait
package rpcretry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"
)

// --- minimal stand-in for go.mercari.io/datastore middleware types ---

type Key string

type PropertyList map[string]interface{}

type MultiError []error

func (m MultiError) Error() string { return fmt.Sprintf("%d errors", len(m)) }

type MiddlewareInfo struct {
	Context context.Context
	Next    Middleware
}

type Middleware interface {
	AllocateIDs(info *MiddlewareInfo, keys []Key) ([]Key, error)
	PutMultiWithoutTx(info *MiddlewareInfo, keys []Key, psList []PropertyList) ([]Key, error)
}

// rpcBackend is the last middleware in the chain: it performs the real RPC
// over HTTP with info.Context.
type rpcBackend struct {
	http     *http.Client
	endpoint string
}

func (b *rpcBackend) call(ctx context.Context, method string, payload interface{}) error {
	body, _ := json.Marshal(payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.endpoint+"/"+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", method, resp.StatusCode)
	}
	return nil
}

func (b *rpcBackend) AllocateIDs(info *MiddlewareInfo, keys []Key) ([]Key, error) {
	return keys, b.call(info.Context, "allocateIds", keys)
}

func (b *rpcBackend) PutMultiWithoutTx(info *MiddlewareInfo, keys []Key, psList []PropertyList) ([]Key, error) {
	return keys, b.call(info.Context, "commit", psList)
}

// --- reduced rpcretry middleware ---

var _ Middleware = &retryHandler{}

// New automatically RPC retry middleware creates & returns.
func New() Middleware {
	return &retryHandler{
		retryLimit:         3,
		minBackoffDuration: 100 * time.Millisecond,
		logf:               func(ctx context.Context, format string, args ...interface{}) {},
	}
}

type retryHandler struct {
	retryLimit         int
	minBackoffDuration time.Duration
	maxBackoffDuration time.Duration
	maxDoublings       int
	logf               func(ctx context.Context, format string, args ...interface{})
}

func (rh *retryHandler) waitDuration(retry int) time.Duration {
	d := 10 * time.Millisecond
	if 0 <= rh.minBackoffDuration {
		d = rh.minBackoffDuration
	}

	m := retry
	if 0 < rh.maxDoublings && rh.maxDoublings < m {
		m = rh.maxDoublings
	}
	if m <= 0 {
		m = 1
	}

	wait := math.Pow(2, float64(m-1)) * float64(d)

	if 0 < rh.maxBackoffDuration {
		wait = math.Min(wait, float64(rh.maxBackoffDuration))
	}

	return time.Duration(wait)
}

func (rh *retryHandler) try(ctx context.Context, logPrefix string, f func() error) {
	try := 1
	for {
		err := f()
		if err == nil {
			return
		} else if _, ok := err.(MultiError); ok {
			return
		}
		d := rh.waitDuration(try)
		rh.logf(ctx, "%s: err=%s, will be retry #%d after %s", logPrefix, err.Error(), try, d.String())
		time.Sleep(d)
		if rh.retryLimit <= try {
			break
		}
		try++
	}
}

func (rh *retryHandler) AllocateIDs(info *MiddlewareInfo, keys []Key) (retKeys []Key, retErr error) {
	next := info.Next
	rh.try(info.Context, "middleware/rpcretry.AllocateIDs", func() error {
		retKeys, retErr = next.AllocateIDs(info, keys)
		return retErr
	})
	return
}

func (rh *retryHandler) PutMultiWithoutTx(info *MiddlewareInfo, keys []Key, psList []PropertyList) (retKeys []Key, retErr error) {
	next := info.Next
	rh.try(info.Context, "middleware/rpcretry.PutMultiWithoutTx", func() error {
		retKeys, retErr = next.PutMultiWithoutTx(info, keys, psList)
		return retErr
	})
	return
}
