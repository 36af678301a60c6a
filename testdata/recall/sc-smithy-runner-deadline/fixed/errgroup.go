// Recall case sc-smithy-runner-deadline
// Source: github.com/smithy-security/smithy commit 8e6def26859c55fd63c7efc63ad84a01eddd25d9 (sdk/component/runner.go)
// Link: https://github.com/smithy-security/smithy/commit/8e6def26859c55fd63c7efc63ad84a01eddd25d9
// Bug: run filters the errgroup result through isContextErr, which also matches context.DeadlineExceeded, so a component that times out makes run return nil (success) instead of an error.
// Fix: isContextErr only treats context.Canceled as a benign shutdown; DeadlineExceeded is reported as an error.
// Rule: swallowcancel
package component

import (
	"context"
	"sync"
)

// Local stand-in for golang.org/x/sync/errgroup.
type group struct {
	cancel  func()
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
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
				if g.cancel != nil {
					g.cancel()
				}
			})
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	if g.cancel != nil {
		g.cancel()
	}
	return g.err
}
