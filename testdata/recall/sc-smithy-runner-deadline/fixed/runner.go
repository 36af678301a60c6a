// Recall case sc-smithy-runner-deadline
// Source: github.com/smithy-security/smithy commit 8e6def26859c55fd63c7efc63ad84a01eddd25d9 (sdk/component/runner.go)
// Link: https://github.com/smithy-security/smithy/commit/8e6def26859c55fd63c7efc63ad84a01eddd25d9
// Bug: run filters the errgroup result through isContextErr, which also matches context.DeadlineExceeded, so a component that times out makes run return nil (success) instead of an error.
// Fix: isContextErr only treats context.Canceled as a benign shutdown; DeadlineExceeded is reported as an error.
// Rule: swallowcancel
package component

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/signal"
	"syscall"
)

type (
	// RunnerConfig is a reduced stand-in for the runner configuration.
	RunnerConfig struct {
		ComponentName string
		Logger        *slog.Logger
	}

	// runner is used to setup the run context.
	runner struct {
		config *RunnerConfig
	}

	// componentRunnerFunc is an alias for executing component run functions.
	componentRunnerFunc func(context.Context, *RunnerConfig) error
)

func newRunner(ctx context.Context) (*runner, error) {
	return &runner{config: &RunnerConfig{ComponentName: "component", Logger: slog.Default()}}, nil
}

// run is the core of the component SDK: it runs the component, handles
// signal termination and context cancellation.
func run(
	ctx context.Context,
	componentRunner componentRunnerFunc,
) error {
	r, err := newRunner(ctx)
	if err != nil {
		return fmt.Errorf("could not create runner: %w", err)
	}

	var (
		conf     = r.config
		logger   = conf.Logger.With("component", conf.ComponentName)
		syncErrs = make(chan error, 1)
	)

	ctx, cancel := signal.NotifyContext(
		ctx,
		syscall.SIGINT,
		syscall.SIGTERM,
		syscall.SIGQUIT,
	)
	defer cancel()

	g, ctx := withContext(ctx)

	// shutdown the application in case of:
	// - cancellations
	// - components being done with their work
	g.Go(func() error {
		select {
		case <-ctx.Done():
			logger.Debug("received a context cancellation, exiting...")
		case err := <-syncErrs:
			logger.Debug("received an unexpected error, exiting...")
			return err
		}

		return nil
	})

	// Run the component and forward errors if detected or simply tell to shut down the app when done.
	g.Go(func() error {
		// We know that we won't have more errors being sent so we can close this safely.
		defer close(syncErrs)

		logger.Debug("running component...")
		if err := componentRunner(ctx, conf); err != nil {
			return fmt.Errorf("could not run component: %w", err)
		}

		logger.Debug("component done! Preparing to exit...")
		// We're done, telling the runner to exit.
		cancel()
		return nil
	})

	// Wait for all the runner bits to be done and report an error if fatal and unexpected.
	if err := g.Wait(); err != nil && !isContextErr(err) {
		return fmt.Errorf("unexpected run error: %w", err)
	}

	return nil
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled)
}
