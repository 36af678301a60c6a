// Recall case cc-woodpecker-destroyworkflow
// Source: github.com/woodpecker-ci/woodpecker commit 30cd8001108fd44abe41cf1f5f5588e9dbec7e51 (pipeline/pipeline.go)
// Link: https://github.com/woodpecker-ci/woodpecker/commit/30cd8001108fd44abe41cf1f5f5588e9dbec7e51
// Bug: Runtime.Run defers engine.DestroyWorkflow(runnerCtx, ...), but runnerCtx is the agent context that SIGTERM cancels (the same event that stops the workflow), so the container/volume/network cleanup runs with an already-cancelled context and fails.
// Fix: the deferred cleanup switches to GetShutdownCtx() (a fresh context.WithTimeout(context.Background(), 5s)) when runnerCtx.Err() != nil.
// Rule: cleanupctx
package pipeline

import (
	"context"
	"sync"
	"time"
)

const shutdownTimeout = time.Second * 5

var (
	shutdownCtx       context.Context
	shutdownCtxCancel context.CancelFunc
	shutdownCtxLock   sync.Mutex
)

func GetShutdownCtx() context.Context {
	shutdownCtxLock.Lock()
	defer shutdownCtxLock.Unlock()
	if shutdownCtx == nil {
		shutdownCtx, shutdownCtxCancel = context.WithTimeout(context.Background(), shutdownTimeout)
	}
	return shutdownCtx
}

func CancelShutdown() {
	shutdownCtxLock.Lock()
	defer shutdownCtxLock.Unlock()
	if shutdownCtxCancel == nil {
		// we create an canceled context
		shutdownCtx, shutdownCtxCancel = context.WithCancel(context.Background())
	}
	shutdownCtxCancel()
}
