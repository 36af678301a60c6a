// Recall case sc-osc-bsu-csi-driver-backoff
// Source: github.com/outscale/osc-bsu-csi-driver commit a33032c835ed86db3a1bf74a02b8ae534d17ded2 (pkg/cloud/backoff.go, pkg/cloud/cloud.go)
// Link: https://github.com/outscale/osc-bsu-csi-driver/commit/a33032c835ed86db3a1bf74a02b8ae534d17ded2
// Bug: DeleteDisk retries the OAPI call with the context-unaware wait.ExponentialBackoff; with the RetryOnErrors policy any error, including context.Canceled/DeadlineExceeded from the cancelled request ctx, is turned into "retry" (false, nil), so the loop keeps sleeping and re-calling until the steps run out and the context error is lost.
// Fix: the backoff policy runs the loop with wait.ExponentialBackoffWithContext(ctx, ...), which stops and returns ctx.Err() once the caller's context is done.
// Rule: swallowcancel
package cloud

// Stand-in for k8s.io/apimachinery/pkg/util/wait.

import (
	"context"
	"errors"
	"time"
)

// ErrWaitTimeout is returned when the condition was not satisfied in time.
var ErrWaitTimeout = errors.New("timed out waiting for the condition")

// Backoff holds parameters applied to a Backoff function.
type Backoff struct {
	Duration time.Duration
	Factor   float64
	Steps    int
}

// Step returns the next duration and updates the backoff.
func (b *Backoff) Step() time.Duration {
	d := b.Duration
	b.Steps--
	if b.Factor != 0 {
		b.Duration = time.Duration(float64(b.Duration) * b.Factor)
	}
	return d
}

// ExponentialBackoff repeats a condition check with exponential backoff.
func ExponentialBackoff(backoff Backoff, condition func() (bool, error)) error {
	for backoff.Steps > 0 {
		if ok, err := condition(); err != nil || ok {
			return err
		}
		if backoff.Steps == 1 {
			break
		}
		time.Sleep(backoff.Step())
	}
	return ErrWaitTimeout
}

// ExponentialBackoffWithContext repeats a condition check with exponential
// backoff and stops when ctx is done.
func ExponentialBackoffWithContext(ctx context.Context, backoff Backoff, condition func(context.Context) (bool, error)) error {
	for backoff.Steps > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ok, err := condition(ctx); err != nil || ok {
			return err
		}
		if backoff.Steps == 1 {
			break
		}
		t := time.NewTimer(backoff.Step())
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return ErrWaitTimeout
}
