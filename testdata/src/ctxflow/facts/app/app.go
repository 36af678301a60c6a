package app // want package:"imports ctxflow/facts/store"

import (
	"context"

	"ctxflow/facts/store"
)

// Run passes its ctx on: it gets a fact of its own, through another package's fact.
func Run(ctx context.Context, s *store.Store) error { // want Run:"ctx reaches \\(\\*pgxpool.Pool\\).QueryRow via \\(\\*store.Store\\).Load"
	return s.Load(ctx, 1)
}

type loader interface {
	Load(ctx context.Context, id int) error
}

// Through loads through an interface whose concrete type is known here.
func Through(ctx context.Context, s *store.Store) error { // want Through:"ctx reaches \\(\\*pgxpool.Pool\\).QueryRow via \\(\\*store.Store\\).Load"
	var l loader = s
	return l.Load(ctx, 1)
}

// Unknown loads through an interface value it was given: nothing is known.
func Unknown(ctx context.Context, l loader) error {
	return l.Load(ctx, 1)
}
