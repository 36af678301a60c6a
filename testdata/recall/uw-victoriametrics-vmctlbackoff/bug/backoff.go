// Recall case uw-victoriametrics-vmctlbackoff
// Source: github.com/VictoriaMetrics/VictoriaMetrics commit ddb3ae0f0091ac07d59d890ef5ee0a52d8b269ef (app/vmctl/backoff/backoff.go)
// Link: https://github.com/VictoriaMetrics/VictoriaMetrics/commit/ddb3ae0f0091ac07d59d890ef5ee0a52d8b269ef
// Bug: Backoff.Retry(ctx, cb) waits between attempts with time.Sleep, so cancelling the import context cannot interrupt the (growing) backoff pause and further retries still run.
// Fix: The pause is a time.NewTimer raced against ctx.Done() in a select, returning the last error when the context is cancelled.
// Rule: uncancellablewait
package backoff

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math"
	"time"
)

const (
	backoffRetries     = 5
	backoffFactor      = 1.7
	backoffMinDuration = time.Second
)

// retryableFunc describes call back which will repeat on errors
type retryableFunc func() error

// ErrBadRequest is an error returned on bad request
var ErrBadRequest = errors.New("bad request")

// Backoff describes object with backoff policy params
type Backoff struct {
	retries     int
	factor      float64
	minDuration time.Duration
}

// New initialize backoff object
func New() *Backoff {
	return &Backoff{
		retries:     backoffRetries,
		factor:      backoffFactor,
		minDuration: backoffMinDuration,
	}
}

// Retry process retries until all attempts are completed
func (b *Backoff) Retry(ctx context.Context, cb retryableFunc) (uint64, error) {
	var attempt uint64
	for i := 0; i < b.retries; i++ {
		// @TODO we should use context to cancel retries
		err := cb()
		if err == nil {
			return attempt, nil
		}
		if errors.Is(err, ErrBadRequest) || errors.Is(err, context.Canceled) {
			log.Printf("unrecoverable error: %s", err)
			return attempt, err // fail fast if not recoverable
		}
		attempt++
		backoff := float64(b.minDuration) * math.Pow(b.factor, float64(i))
		dur := time.Duration(backoff)
		log.Printf("got error: %s on attempt: %d; will retry in %v", err, attempt, dur)
		time.Sleep(time.Duration(backoff))
	}
	return attempt, fmt.Errorf("execution failed after %d retry attempts", b.retries)
}
