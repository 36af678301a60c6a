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
