package donewait

import (
	"context"
	"sync"
	"time"
)

// A shutdown that builds its own context and waits on its Done beside the
// connections' WaitGroup: the caller's cancellation never reaches that
// wait (psql-wire's Server.Shutdown).
type server struct {
	wg      sync.WaitGroup
	timeout time.Duration
	closer  chan struct{}
}

func (s *server) Shutdown(ctx context.Context) error {
	var shutdownCtx context.Context
	var cancel context.CancelFunc
	if deadline, ok := ctx.Deadline(); ok {
		// Not reported: the caller's own deadline copied onto a fresh
		// context keeps the budget and drops the cancellation on purpose
		// (boulder's multiSource).
		shutdownCtx, cancel = context.WithDeadline(context.Background(), deadline)
	} else {
		shutdownCtx, cancel = context.WithTimeout(context.Background(), s.timeout) // want `context.WithTimeout\(context.Background\(\), …\) starts a fresh s.timeout budget that ignores ctx's deadline and cancellation`
	}
	defer cancel()
	close(s.closer)
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-shutdownCtx.Done():
		return shutdownCtx.Err()
	}
}

// Not reported: a fresh budget waited on through Done with only a timer
// beside it is a pause, and one whose Done ends the wait quietly serves
// until then.
func (s *server) pause(ctx context.Context) {
	pctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	select {
	case <-pctx.Done():
	case <-time.After(2 * time.Second):
	}
}

func (s *server) drain(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-dctx.Done():
	}
	return nil
}
