package owners

import (
	"context"
	"database/sql"
	"errors"

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
