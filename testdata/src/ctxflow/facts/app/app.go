package app

import (
	"context"

	"ctxflow/facts/store"
)

// Run passes its ctx on: it gets a fact of its own, through another package's fact.
func Run(ctx context.Context, s *store.Store) error { // want Run:"ctx reaches \\(\\*pgxpool.Pool\\).QueryRow via \\(\\*store.Store\\).Load"
	return s.Load(ctx, 1)
}
