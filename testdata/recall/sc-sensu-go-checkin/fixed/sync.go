// Recall case sc-sensu-go-checkin
// Source: github.com/sensu/sensu-go commit 85281df87a2fd72ef56d965b240f1acca81a8490 (backend/store/postgres/sync.go)
// Link: https://github.com/sensu/sensu-go/commit/85281df87a2fd72ef56d965b240f1acca81a8490
// Bug: checkin, the loop that keeps the advisory lock alive, returns nil when its context is cancelled, so a cancellation is reported to handle as a clean exit indistinguishable from success.
// Fix: checkin returns ctx.Err() on ctx.Done(), and handle checks errors.Is(err, handleCtx.Err()) to tell cancellation apart from a lost lock.
// Rule: swallowcancel
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"log"
	"sync"
	"time"
)

type Mutex int64

type MutexHandler func(ctx context.Context) error

// DBI is the subset of the database interface used here.
type DBI interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var logger = log.Default()

// SynchronizedExecutor functions as a postgresql advisory lock based mutex.
type SynchronizedExecutor struct {
	DB DBI

	CheckinInterval time.Duration
}

func (se *SynchronizedExecutor) handle(ctx context.Context, conn DBI, mux Mutex, handler MutexHandler) error {
	handleCtx, cancel := context.WithCancel(ctx)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := se.checkin(handleCtx, conn, mux); err != nil {
			if errors.Is(err, handleCtx.Err()) {
				return
			}
			logger.Printf("unexpected error holding mutex lock. considering mutex lost. %d: %v", mux, err)
		}
		cancel()
	}()

	err := handler(handleCtx)
	cancel()
	wg.Wait()
	return err
}

// checkin periodically (re)locks the advisory lock in order to ensure that the
// txn is not booted for being idle. Postgres guarantees that lock requests for
// a lock already held by that transaction will always succeed.
func (se *SynchronizedExecutor) checkin(ctx context.Context, conn DBI, mux Mutex) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(se.CheckinInterval):
		}

		if _, err := lockMux(ctx, conn, mux); err != nil {
			return err
		}
	}
}

func lockMux(ctx context.Context, db DBI, mux Mutex) (bool, error) {
	row := db.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock($1) as locked;", int64(mux))
	var locked bool
	err := row.Scan(&locked)
	return locked, err
}
