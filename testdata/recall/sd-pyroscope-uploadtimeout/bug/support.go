// Recall case sd-pyroscope-uploadtimeout
// Source: github.com/grafana/pyroscope commit 5ef35aa1ffdc68b3d10b6feb1f6b919764853169 (pkg/experiment/ingester/segment.go)
// Link: https://github.com/grafana/pyroscope/commit/5ef35aa1ffdc68b3d10b6feb1f6b919764853169
// Bug: segmentsWriter.uploadBlock applies UploadTimeout per attempt inside uploadWithTimeout (a fresh context.WithTimeout for every retry and for the hedged attempt), so retries + backoff + hedging of one segment upload are not bounded by a single deadline and segment.flush can run far past the configured upload timeout.
// Fix: uploadWithTimeout is removed; uploadBlock wraps ctx once with context.WithTimeout(ctx, UploadTimeout) that all hedged attempts and retries share, and the retry loop also stops when ctx.Err() != nil.
// Rule: sharedeadline
package ingester

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Bucket is a reduced objstore.Bucket backed by an HTTP object store; like the
// real object-store SDKs it relies on the request context for deadlines.
type Bucket struct {
	Endpoint string
	Client   *http.Client
}

// Upload PUTs the object at name.
func (b *Bucket) Upload(ctx context.Context, name string, r io.Reader) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, b.Endpoint+"/"+name, r)
	if err != nil {
		return err
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("upload %s: unexpected status %d", name, resp.StatusCode)
	}
	return nil
}

// BackoffConfig is the reduced dskit backoff.Config.
type BackoffConfig struct {
	MinBackoff time.Duration
	MaxBackoff time.Duration
	MaxRetries int
}

// Backoff is the reduced dskit backoff.Backoff.
type Backoff struct {
	cfg          BackoffConfig
	ctx          context.Context
	numRetries   int
	nextDelayMin time.Duration
	nextDelayMax time.Duration
}

// NewBackoff creates a Backoff bound to ctx.
func NewBackoff(ctx context.Context, cfg BackoffConfig) *Backoff {
	return &Backoff{cfg: cfg, ctx: ctx, nextDelayMin: cfg.MinBackoff, nextDelayMax: doubleDuration(cfg.MinBackoff, cfg.MaxBackoff)}
}

// Ongoing returns true if caller should keep going.
func (b *Backoff) Ongoing() bool {
	return b.ctx.Err() == nil && (b.cfg.MaxRetries == 0 || b.numRetries < b.cfg.MaxRetries)
}

// Wait sleeps for the backoff time, returning early if the context is done.
func (b *Backoff) Wait() {
	b.numRetries++
	sleep := b.nextDelayMin
	if b.nextDelayMax > b.nextDelayMin {
		sleep += time.Duration(rand.Int63n(int64(b.nextDelayMax - b.nextDelayMin)))
	}
	b.nextDelayMin = doubleDuration(b.nextDelayMin, b.cfg.MaxBackoff)
	b.nextDelayMax = doubleDuration(b.nextDelayMin, b.cfg.MaxBackoff)
	if b.Ongoing() {
		t := time.NewTimer(sleep)
		defer t.Stop()
		select {
		case <-b.ctx.Done():
		case <-t.C:
		}
	}
}

func doubleDuration(value, max time.Duration) time.Duration {
	value *= 2
	if value <= max {
		return value
	}
	return max
}

// Call is a hedged call.
type Call[T any] func(ctx context.Context, isRetry bool) (T, error)

// Hedged executes Call with a speculative retry after trigger fires
// if it has not returned earlier (pkg/util/retry/hedged.go, without Throttler).
type Hedged[T any] struct {
	Call     Call[T]
	Trigger  <-chan time.Time
	FailFast bool
}

// Do runs the hedged call.
func (s Hedged[T]) Do(ctx context.Context) (T, error) {
	attemptCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		ret    T
		err    error
		failed uint64

		wg sync.WaitGroup
		do sync.Once
	)

	attempt := func(isRetry bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			attemptRet, attemptErr := s.Call(attemptCtx, isRetry)
			if attemptErr != nil && atomic.SwapUint64(&failed, 1) == 0 && !s.FailFast {
				return
			}
			cancel()
			do.Do(func() {
				ret, err = attemptRet, attemptErr
			})
		}()
	}

	attempt(false)
	select {
	case <-attemptCtx.Done():
		// Call has returned, or caller cancelled the request.
	case <-s.Trigger:
		attempt(true)
	}

	wg.Wait()
	return ret, err
}
