// Recall case uw-clientgo-retrybackoff
// Source: github.com/kubernetes/client-go commit 7aa9904196bfe2f610273550f8abf07e3ea3a16b (rest/urlbackoff.go)
// Link: https://github.com/kubernetes/client-go/commit/7aa9904196bfe2f610273550f8abf07e3ea3a16b
// Bug: Request.request(ctx) -> withRetry.Before(ctx, r) -> request.backoff.Sleep(delay) -> NoBackoff.Sleep = time.Sleep(d); the Retry-After/backoff sleep between attempts ignores ctx cancellation and deadline.
// Fix: BackoffManagerWithContext; Before calls request.backoff.SleepWithContext(ctx, delay), which selects on ctx.Done() and a timer.
// Rule: uncancellablewait

package rest

import (
	"context"
	"net/url"
	"time"
)

// Deprecated: BackoffManager.Sleep ignores the caller's context. Use BackoffManagerWithContext instead.
type BackoffManager interface {
	UpdateBackoff(actualUrl *url.URL, err error, responseCode int)
	CalculateBackoff(actualUrl *url.URL) time.Duration
	Sleep(d time.Duration)
}

type BackoffManagerWithContext interface {
	UpdateBackoffWithContext(ctx context.Context, actualURL *url.URL, err error, responseCode int)
	CalculateBackoffWithContext(ctx context.Context, actualURL *url.URL) time.Duration
	SleepWithContext(ctx context.Context, d time.Duration)
}

// NoBackoff is a stub implementation, can be used for mocking or else as a default.
type NoBackoff struct {
}

func (n *NoBackoff) UpdateBackoff(actualUrl *url.URL, err error, responseCode int) {
	// do nothing.
}

func (n *NoBackoff) UpdateBackoffWithContext(ctx context.Context, actualURL *url.URL, err error, responseCode int) {
	// do nothing.
}

func (n *NoBackoff) CalculateBackoff(actualUrl *url.URL) time.Duration {
	return 0 * time.Second
}

func (n *NoBackoff) CalculateBackoffWithContext(ctx context.Context, actualURL *url.URL) time.Duration {
	return 0 * time.Second
}

func (n *NoBackoff) Sleep(d time.Duration) {
	time.Sleep(d)
}

func (n *NoBackoff) SleepWithContext(ctx context.Context, d time.Duration) {
	if d == 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
