// Recall case cc-influxdb-graceful-shutdown
// Source: github.com/influxdata/influxdb commit 6ed19226814b3e4b4bed5a8de2d93b2ee87d28f5 (cmd/influxd/launcher/cmd.go)
// Link: https://github.com/influxdata/influxdb/commit/6ed19226814b3e4b4bed5a8de2d93b2ee87d28f5
// Bug: cmdRunE waits for <-ctx.Done() on the signal context and then derives the 2s graceful-shutdown context from that same, already cancelled ctx, so Launcher.Shutdown (httpServer.Shutdown, queryController.Shutdown) gets a dead context and aborts immediately
// Fix: keep the signal context in runCtx and derive shutdownCtx from the parent ctx with context.WithTimeout(ctx, 2*time.Second)
// Rule: cleanupctx
package launcher

import (
	"context"
	"time"
)

// InfluxdOpts captures all arguments for running the InfluxDB server.
type InfluxdOpts struct {
	HttpBindAddress string
}

// NewInfluxdCommand returns the run function of the influxd command; main
// calls it with the process root context.
func NewInfluxdCommand(ctx context.Context, o *InfluxdOpts) func() error {
	return cmdRunE(ctx, o)
}

func cmdRunE(ctx context.Context, o *InfluxdOpts) func() error {
	return func() error {
		l := NewLauncher()

		// Start the launcher and wait for it to exit on SIGINT or SIGTERM.
		runCtx := WithStandardSignals(ctx)
		if err := l.run(runCtx, o); err != nil {
			return err
		}
		<-runCtx.Done()

		// Tear down the launcher, allowing it a few seconds to finish any
		// in-progress requests.
		shutdownCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		l.Shutdown(shutdownCtx)

		return nil
	}
}
