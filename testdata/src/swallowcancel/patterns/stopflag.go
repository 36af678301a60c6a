package patterns

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
)

// tryDo calls f until it asks to stop, succeeds or the attempts run out
// (release-manager's try.Do): its bool says stop, not retry.
func tryDo(max int, f func(int) (bool, error)) error {
	var errs error
	attempt := 1
	for {
		stop, err := f(attempt)
		if err == nil {
			return nil
		}
		if stop {
			return errors.Join(errs, err)
		}
		errs = errors.Join(errs, fmt.Errorf("retry %d: %w", attempt, err))
		attempt++
		if attempt > max {
			return errs
		}
	}
}

// gitPush runs git under ctx: once ctx is done the command is killed (or
// never starts), so every later attempt fails too.
func gitPush(ctx context.Context, repo string) error {
	cmd := exec.CommandContext(ctx, "git", "push", "origin", "HEAD")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git push: %s: %w", out, err)
	}
	return nil
}

func releaseBranch(ctx context.Context, repo string) error {
	return tryDo(3, func(int) (bool, error) {
		if err := gitPush(ctx, repo); err != nil {
			return false, fmt.Errorf("push: %w", err) // want `patterns.tryDo retries this error, which may be a context cancellation`
		}
		return true, nil
	})
}

// tryDoCtx is release-manager's fix: the helper returns ctx.Err() before
// another attempt once the context is done.
func tryDoCtx(ctx context.Context, max int, f func(int) (bool, error)) error {
	var errs error
	for attempt := 1; ; attempt++ {
		select {
		case <-ctx.Done():
			return errors.Join(errs, ctx.Err())
		default:
		}
		stop, err := f(attempt)
		if err == nil {
			return nil
		}
		if stop || attempt >= max {
			return errors.Join(errs, err)
		}
		errs = errors.Join(errs, err)
	}
}

func releaseBranchFixed(ctx context.Context, repo string) error {
	return tryDoCtx(ctx, 3, func(int) (bool, error) {
		if err := gitPush(ctx, repo); err != nil {
			return false, fmt.Errorf("push: %w", err)
		}
		return true, nil
	})
}

// A stop flag set on every failure: nothing is retried.
func releaseBranchOnce(ctx context.Context, repo string) error {
	return tryDo(3, func(int) (bool, error) {
		if err := gitPush(ctx, repo); err != nil {
			return true, err
		}
		return true, nil
	})
}

// A killed command's error is "signal: killed", not the context's:
// formatting it with %v hides no context.Canceled.
func describePush(ctx context.Context, repo string) error {
	cmd := exec.CommandContext(ctx, "git", "push")
	cmd.Dir = repo
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git push failed: %v", err)
	}
	return nil
}
