// Recall case cc-boundary-sharedunlock
// Source: github.com/hashicorp/boundary commit 568594d1b34135f0ad84c9e7017b6cf2e27c99be (internal/cmd/commands/server/server.go)
// Link: https://github.com/hashicorp/boundary/commit/568594d1b34135f0ad84c9e7017b6cf2e27c99be
// Bug: Command.Run defers sMan.SharedUnlock(c.Context), but c.Context is cancelled when ShutdownCh closes, so on shutdown the pg_advisory_unlock_shared ExecContext runs with an already-cancelled context and the lock is never released.
// Fix: the deferred SharedUnlock uses a fresh context.WithTimeout(context.Background(), 1*time.Second) instead of the cancelled base context.
// Rule: cleanupctx
package boundary

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Command is the reduced base.Command (internal/cmd/base/base.go).
type Command struct {
	Context    context.Context
	ShutdownCh chan struct{}
}

// NewCommand returns a new instance of a base.Command type
func NewCommand() *Command {
	ctx, cancel := context.WithCancel(context.Background())
	ret := &Command{
		ShutdownCh: MakeShutdownCh(),
		Context:    ctx,
	}

	go func() {
		<-ret.ShutdownCh
		cancel()
	}()

	return ret
}

// MakeShutdownCh returns a channel that can be used for shutdown
// notifications for commands.
func MakeShutdownCh() chan struct{} {
	resultCh := make(chan struct{})

	shutdownCh := make(chan os.Signal, 4)
	signal.Notify(shutdownCh, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-shutdownCh
		close(resultCh)
	}()
	return resultCh
}
