package owners

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"time"

	"golang.org/x/sync/errgroup"
)

// groupOwner: the errgroup cancels its context when a member fails; members
// absorbing that cancellation is the group's design.
func groupOwner(parent context.Context, db *sql.DB) error {
	g, ctx := errgroup.WithContext(parent)
	g.Go(func() error {
		_, err := db.ExecContext(ctx, "DELETE FROM t")
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	})
	return g.Wait()
}

// notAnOwner only passes the context on: reported.
func notAnOwner(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	if errors.Is(err, context.Canceled) {
		return nil // want `returning nil when err is context.Canceled`
	}
	return err
}

// notifyOwner derives its context from signal.NotifyContext: the
// cancellation is a Ctrl-C it asked for, and stopping cleanly is success.
func notifyOwner(parent context.Context, db *sql.DB) error {
	ctx, stop := signal.NotifyContext(parent, os.Interrupt)
	defer stop()
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(time.Second):
	}
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// cancelOwner cancels its own context to stop polling: the cancellation is
// its own.
func cancelOwner(parent context.Context, db *sql.DB, done chan struct{}) error {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		<-done
		cancel()
	}()
	for {
		_, err := db.ExecContext(ctx, "SELECT 1")
		if errors.Is(err, context.Canceled) {
			return nil
		}
		if err != nil {
			continue
		}
	}
}

// ownerClosure: a literal inside an owner shares its context.
func ownerClosure(parent context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	try := func() error {
		if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
			return fmt.Errorf("select: %v", err)
		}
		return nil
	}
	return try()
}

// An owner of the cancellation, not of the deadline (smithy's runner):
// it cancels its context itself but sets no deadline, so a
// DeadlineExceeded is its caller's deadline, and nil tells that caller the
// work succeeded when it ran out of time.
func runComponent(ctx context.Context, component func(context.Context) error) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return component(ctx) })
	if err := g.Wait(); err != nil && !isContextErr(err) {
		return fmt.Errorf("run: %w", err)
	}
	return nil // want `returning nil when err is context.DeadlineExceeded tells the caller the work succeeded when it ran out of time: this function cancels its context itself but sets no deadline`
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func isCanceled(err error) bool { return errors.Is(err, context.Canceled) }

// The fix: only its own cancellation counts as a clean stop.
func runComponentFixed(ctx context.Context, component func(context.Context) error) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return component(ctx) })
	if err := g.Wait(); err != nil && !isCanceled(err) {
		return fmt.Errorf("run: %w", err)
	}
	return nil
}

// An owner of the deadline too: its own budget running out is its call.
func runComponentBudget(ctx context.Context, component func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return component(ctx) })
	if err := g.Wait(); err != nil && !isContextErr(err) {
		return err
	}
	return nil
}

// No context handed in: no caller's deadline to lose.
func runDetached(component func(context.Context) error) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return component(ctx) })
	err := g.Wait()
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}

// The same test written out in an owner handed a context.
func runCanceledOrLate(ctx context.Context, component func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := component(ctx)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil // want `returning nil when err is context.DeadlineExceeded`
	}
	return err
}
