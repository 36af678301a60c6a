package a

import (
	"context"
	"errors"
	"os"
	"time"
)

// waitFiles polls the file system until the files exist or ctx is done:
// no network wait, but it returns ctx's cancellation.
func waitFiles(ctx context.Context, paths []string) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		done := true
		for _, p := range paths {
			if _, err := os.Stat(p); err != nil {
				done = false
			}
		}
		if done {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// After the grace period ended in a cancellation, the second wait is given
// the same context and fails at once (argo's emissary Kill).
func kill(ctx context.Context, paths []string, grace time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	err := waitFiles(ctx, paths)
	if !errors.Is(err, context.Canceled) {
		return err
	}
	return waitFiles(ctx, paths) // want `a.waitFiles runs after ctx is done and is given that context \(derived from it, so done too\), so it fails at once instead of doing its work`
}

// The fix: the last wait gets a budget of its own.
func killFixed(ctx context.Context, paths []string, grace time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	err := waitFiles(ctx, paths)
	if err == nil || !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	return waitFiles(wctx, paths)
}
