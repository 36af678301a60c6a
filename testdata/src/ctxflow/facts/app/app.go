package app // want package:"imports (ctxflow/facts/store|database/sql)"

import (
	"context"
	"database/sql"

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

// Create passes a command the other package's switch never sends to the
// database: no reach (its error still counts as one that may carry ctx's
// cancellation: that summary has no conditions).
func Create(ctx context.Context, db *sql.DB) error { // want Create:"^returns the cancellation of param 0$"
	return store.Dispatch(ctx, "create", db)
}

// Up passes one that it does.
func Up(ctx context.Context, db *sql.DB) error { // want Up:"ctx reaches \\(\\*sql.DB\\).ExecContext via store.Dispatch"
	return store.Dispatch(ctx, "up", db)
}

// Command passes its own: the condition moves to it.
func Command(ctx context.Context, cmd string, db *sql.DB) error { // want Command:"ctx reaches \\(\\*sql.DB\\).ExecContext via store.Dispatch when cmd is \"migrate\" or \"up\""
	return store.Dispatch(ctx, cmd, db)
}

// Forwarded returns what a helper declared after it returns: its summary
// sees the helper's, whatever their order in the file.
func Forwarded(ctx context.Context, db *sql.DB) error { // want Forwarded:"returns the cancellation of param 0$"
	return execLater(ctx, db)
}

func execLater(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "UPDATE t SET n = n + 1")
	return err
}
