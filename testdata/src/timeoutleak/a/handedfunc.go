package a

import (
	"context"
	"fmt"
	"time"
)

// A goroutine started from a function the caller hands in, which the
// package builds with a literal that sends plainly (xk6-browser's call
// running the action newAction returned): when the timeout fires, the
// literal's sends block forever.
type element struct{ ctx context.Context }

type actionFunc func(ctx context.Context, resultCh chan any, errCh chan error)

func (e *element) newAction(fn func(context.Context) (any, error)) actionFunc {
	return func(apiCtx context.Context, resultCh chan any, errCh chan error) {
		if res, err := fn(apiCtx); err != nil {
			errCh <- err
		} else {
			resultCh <- res
		}
	}
}

func (e *element) newGuardedAction(fn func(context.Context) (any, error)) actionFunc {
	return func(apiCtx context.Context, resultCh chan any, errCh chan error) {
		res, err := fn(apiCtx)
		if err != nil {
			select {
			case <-apiCtx.Done():
			case errCh <- err:
			}
			return
		}
		select {
		case <-apiCtx.Done():
		case resultCh <- res:
		}
	}
}

func callAction(ctx context.Context, fn actionFunc, timeout time.Duration) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resultCh := make(chan any) // want `goroutine sends on this unbuffered channel, but the select stops waiting when ctx.Done\(\) fires`
	errCh := make(chan error)  // want `goroutine sends on this unbuffered channel, but the select stops waiting when ctx.Done\(\) fires`
	go fn(ctx, resultCh, errCh)
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("timed out after %s: %w", timeout, ctx.Err())
	case res := <-resultCh:
		return res, nil
	case err := <-errCh:
		return nil, err
	}
}

func (e *element) focus() error {
	_, err := callAction(e.ctx, e.newAction(func(context.Context) (any, error) { return nil, nil }), time.Second)
	return err
}

// The fix: every action the package hands over gives up on apiCtx.
func callGuarded(ctx context.Context, fn actionFunc, timeout time.Duration) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resultCh := make(chan any)
	errCh := make(chan error)
	go fn(ctx, resultCh, errCh)
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-resultCh:
		return res, nil
	case err := <-errCh:
		return nil, err
	}
}

func (e *element) focusGuarded() error {
	_, err := callGuarded(e.ctx, e.newGuardedAction(func(context.Context) (any, error) { return nil, nil }), time.Second)
	return err
}

// A function nobody in the package hands over: nothing to judge.
func CallExternal(ctx context.Context, fn actionFunc) (any, error) {
	resultCh := make(chan any)
	errCh := make(chan error)
	go fn(ctx, resultCh, errCh)
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-resultCh:
		return res, nil
	case err := <-errCh:
		return nil, err
	}
}
