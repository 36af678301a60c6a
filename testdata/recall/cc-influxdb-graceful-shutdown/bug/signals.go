// Recall case cc-influxdb-graceful-shutdown
// Source: github.com/influxdata/influxdb commit 6ed19226814b3e4b4bed5a8de2d93b2ee87d28f5 (cmd/influxd/launcher/cmd.go)
// Link: https://github.com/influxdata/influxdb/commit/6ed19226814b3e4b4bed5a8de2d93b2ee87d28f5
// Bug: cmdRunE waits for <-ctx.Done() on the signal context and then derives the 2s graceful-shutdown context from that same, already cancelled ctx, so Launcher.Shutdown (httpServer.Shutdown, queryController.Shutdown) gets a dead context and aborts immediately
// Fix: keep the signal context in runCtx and derive shutdownCtx from the parent ctx with context.WithTimeout(ctx, 2*time.Second)
// Rule: cleanupctx
package launcher

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// WithSignals returns a context that is canceled with any signal in sigs
// (kit/signals).
func WithSignals(ctx context.Context, sigs ...os.Signal) context.Context {
	sigCh := make(chan os.Signal, 1)
	signal.Notify(sigCh, sigs...)

	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		select {
		case <-ctx.Done():
			return
		case <-sigCh:
			return
		}
	}()
	return ctx
}

// WithStandardSignals cancels the context on os.Interrupt, syscall.SIGTERM.
func WithStandardSignals(ctx context.Context) context.Context {
	return WithSignals(ctx, os.Interrupt, syscall.SIGTERM)
}
