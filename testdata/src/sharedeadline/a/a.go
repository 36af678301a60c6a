package a

import (
	"context"
	"database/sql"
	"net/http"
	"time"
)

type Store struct{ db *sql.DB }

// --- fresh budgets that ignore the caller's deadline ---

func (s *Store) Load(ctx context.Context) error {
	qctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // want `context.WithTimeout\(context.Background\(\), …\) starts a fresh 5s budget that ignores ctx's deadline and cancellation: the stage can outlive its caller; derive it from ctx`
	defer cancel()
	_, err := s.db.ExecContext(qctx, "SELECT 1")
	return err
}

func handler(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithDeadline(context.TODO(), time.Now().Add(time.Second)) // want `context.WithDeadline\(context.TODO\(\), …\) starts a fresh deadline time.Now\(\).Add\(time.Second\) that ignores r.Context\(\)'s deadline`
	defer cancel()
	_ = ctx
}

func (s *Store) configured(ctx context.Context, timeout time.Duration) error {
	qctx, cancel := context.WithTimeoutCause(context.Background(), timeout, context.DeadlineExceeded) // want `context.WithTimeoutCause\(context.Background\(\), …\) starts a fresh timeout budget that ignores ctx's deadline`
	defer cancel()
	_, err := s.db.ExecContext(qctx, "SELECT 1")
	return err
}

// A closure called in place is part of the stage: its ctx is still in scope.
func (s *Store) inline(ctx context.Context) error {
	load := func() error {
		qctx, cancel := context.WithTimeout(context.Background(), time.Second) // want `starts a fresh 1s budget that ignores ctx's deadline`
		defer cancel()
		_, err := s.db.ExecContext(qctx, "SELECT 1")
		return err
	}
	return load()
}

// A helper that returns the fresh context still ignores the one it received.
func withBudget(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), time.Second) // want `starts a fresh 1s budget that ignores ctx's deadline`
}

// --- inner budgets that can never fire ---

func nested(ctx context.Context, db *sql.DB) error {
	outer, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	inner, cancel2 := context.WithTimeout(outer, 5*time.Second) // want `inner budget 5s can never fire: its parent context already expires within 2s; drop the inner timeout or make it shorter than 2s`
	defer cancel2()
	_, err := db.ExecContext(inner, "SELECT 1")
	return err
}

func longerThroughValue(ctx context.Context) {
	outer, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tagged := context.WithValue(outer, key{}, 1)
	inner, cancel2 := context.WithTimeout(tagged, 90*time.Second) // want `inner budget 1m30s can never fire: its parent context already expires within 1m0s`
	defer cancel2()
	_ = inner
}

// Not reported: a stage given the same budget as its parent reads as meant
// and changes nothing (kubearchive's 5 s stages under a 5 s parent).
func equalBudget(ctx context.Context) {
	outer, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tagged := context.WithValue(outer, key{}, 1)
	inner, cancel2 := context.WithTimeout(tagged, 60*time.Second)
	defer cancel2()
	_ = inner
}

type key struct{}

// --- exemptions ---

func derived(ctx context.Context, db *sql.DB) error {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := db.ExecContext(qctx, "SELECT 1")
	return err
}

func noContextInScope(db *sql.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	db.ExecContext(ctx, "SELECT 1")
}

// A blank context parameter is not one the function can derive from.
func blankParam(_ context.Context, db *sql.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	db.ExecContext(ctx, "SELECT 1")
}

func shorterInner(ctx context.Context) {
	outer, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	inner, cancel2 := context.WithTimeout(outer, time.Second)
	defer cancel2()
	_ = inner
}

// Budgets read from configuration are not compared.
func configuredInner(ctx context.Context, d time.Duration) {
	outer, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	inner, cancel2 := context.WithTimeout(outer, d)
	defer cancel2()
	_ = inner
}

type Config struct{ Outer, Inner time.Duration }

func configuredBoth(ctx context.Context, cfg Config) {
	outer, cancel := context.WithTimeout(ctx, cfg.Outer)
	defer cancel()
	inner, cancel2 := context.WithTimeout(outer, cfg.Inner)
	defer cancel2()
	_ = inner
}

// Two budgets on different paths: the parent's budget is not one constant.
func eitherBudget(ctx context.Context, slow bool) {
	var outer context.Context
	var cancel context.CancelFunc
	if slow {
		outer, cancel = context.WithTimeout(ctx, time.Minute)
	} else {
		outer, cancel = context.WithTimeout(ctx, time.Second)
	}
	defer cancel()
	inner, cancel2 := context.WithTimeout(outer, 30*time.Second)
	defer cancel2()
	_ = inner
}
