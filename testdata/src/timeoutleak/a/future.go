package a

import (
	"context"
	"errors"
	"os/exec"
	"time"
)

// A future: a helper makes an unbuffered channel, starts one goroutine
// that sends its result on it, and returns the channel. A caller that
// stops waiting on a timer leaves the goroutine blocked forever (go-sh's
// WaitTimeout selected on Go(s.Wait) and time.After; fixed with a buffer).

func goFuture(f func() error) chan error {
	ch := make(chan error) // want `goroutine sends on this unbuffered channel, which goFuture returns to its callers, and a.waitTimeout stops waiting for it when time.After fires: the goroutine then blocks forever \(a leak each time\); make it buffered: make\(chan error, 1\)`
	go func() {
		ch <- f()
	}()
	return ch
}

var errExecTimeout = errors.New("timeout")

func waitTimeout(cmd *exec.Cmd, timeout time.Duration) error {
	select {
	case <-time.After(timeout):
		cmd.Process.Kill()
		return errExecTimeout
	case err := <-goFuture(cmd.Wait):
		return err
	}
}

// The same future read until it answers: no leak.
func waitAll(cmd *exec.Cmd) error {
	return <-goFuture(cmd.Wait)
}

// Negatives.

// The fix: a buffer of one.
func goFutureFixed(f func() error) <-chan error {
	ch := make(chan error, 1)
	go func() {
		ch <- f()
	}()
	return ch
}

func waitTimeoutFixed(ctx context.Context, cmd *exec.Cmd) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-goFutureFixed(cmd.Wait):
		return err
	}
}

// A helper whose goroutine can give up on its own: not a plain future.
func goFutureCtx(ctx context.Context, f func() error) chan error {
	ch := make(chan error)
	go func() {
		select {
		case ch <- f():
		case <-ctx.Done():
		}
	}()
	return ch
}

func waitCtx(ctx context.Context, cmd *exec.Cmd) error {
	select {
	case <-time.After(time.Second):
		return errExecTimeout
	case err := <-goFutureCtx(ctx, cmd.Wait):
		return err
	}
}
