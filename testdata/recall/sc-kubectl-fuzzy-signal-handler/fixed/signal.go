// Recall case sc-kubectl-fuzzy-signal-handler
// Source: github.com/d-kuro/kubectl-fuzzy commit 6f811269404201164777d60bc2f63d252e990dee (pkg/signal/signal.go)
// Link: https://github.com/d-kuro/kubectl-fuzzy/commit/6f811269404201164777d60bc2f63d252e990dee
// Bug: Handler, run as an errgroup goroutine, returns nil when <-ctx.Done() fires, so the cancellation of the group context is turned into success instead of being reported.
// Fix: the ctx.Done() branch returns ctx.Err().
// Rule: swallowcancel
package signal

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
)

// Handler is catch SIGINT and SIGTERM signal.
func Handler(ctx context.Context, done chan struct{}) error {
	sigCh := make(chan os.Signal, 1)
	signal.Notify(sigCh, os.Interrupt, syscall.SIGTERM)

	select {
	case <-ctx.Done():
		signal.Reset()

		return ctx.Err()
	case <-done:
		return nil
	case sig := <-sigCh:
		return fmt.Errorf("signal received: %s", sig.String())
	}
}

// group is a minimal stand-in for golang.org/x/sync/errgroup.Group.
type group struct {
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
	cancel  context.CancelFunc
}

func withContext(ctx context.Context) (*group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &group{cancel: cancel}, ctx
}

func (g *group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}

// Run mirrors cmd/kubectl-fuzzy main: the command (here a kubectl child
// process) and the signal handler run in one errgroup.
func Run(ctx context.Context, args []string) error {
	done := make(chan struct{})
	eg, ctx := withContext(ctx)
	eg.Go(func() error {
		defer close(done)

		return exec.CommandContext(ctx, "kubectl", args...).Run()
	})
	eg.Go(func() error {
		return Handler(ctx, done)
	})

	return eg.Wait()
}
