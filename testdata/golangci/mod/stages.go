package gcl

import (
	"context"
	"database/sql"
	"net/http"
	"time"
)

// Load starts a fresh budget that ignores its caller's: sharedeadline reports it.
func Load(ctx context.Context, db *sql.DB) error {
	qctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := db.ExecContext(qctx, "SELECT 1")
	return err
}

// Serve shuts down with a context that is already done: cleanupctx reports it.
func Serve(ctx context.Context, srv *http.Server) error {
	<-ctx.Done()
	return srv.Shutdown(ctx)
}

// Fetch leaks the goroutine when ctx fires first: timeoutleak reports it.
func Fetch(ctx context.Context, work func() error) error {
	done := make(chan error)
	go func() { done <- work() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Wait sleeps through cancellation: uncancellablewait reports it.
func Wait(ctx context.Context) error {
	time.Sleep(5 * time.Second)
	return ctx.Err()
}

// FetchQuiet is the same leak, suppressed with golangci-lint's nolint: the
// finding's related positions (the send, the select) must go with it.
func FetchQuiet(ctx context.Context, work func() error) error {
	done := make(chan error) //nolint:timeoutleak // work returns within ctx's deadline by contract
	go func() { done <- work() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
