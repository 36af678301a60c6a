package a

import (
	"context"
	"database/sql"
	"fmt"
)

// litestream's DB keeps a lifecycle context and its cancel function (a
// func() field: the CancelFunc is converted on the way). Close cancels it,
// then syncs; the sync re-takes the read lock, three methods down, with
// tx.ExecContext(db.ctx, …): done by then, so it fails at once.
type liteDB struct {
	db     *sql.DB
	rtx    *sql.Tx
	ctx    context.Context
	cancel func()
}

func newLiteDB(db *sql.DB) *liteDB {
	l := &liteDB{db: db}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l
}

func (l *liteDB) Close(ctx context.Context) error {
	l.cancel()
	if err := l.Sync(ctx); err != nil { // want `\(\*a.liteDB\).Sync waits on the object's kept context \(field ctx\), via \(\*a.liteDB\).checkpoint → \(\*a.liteDB\).acquireReadLock → \(\*sql.DB\).BeginTx, after this function cancelled it`
		return err
	}
	return l.db.Close()
}

func (l *liteDB) Sync(ctx context.Context) error { return l.checkpoint(ctx) }

func (l *liteDB) checkpoint(ctx context.Context) error {
	// The deferred re-acquire captures l: the receiver is spilled.
	defer func() { _ = l.acquireReadLock() }()
	if _, err := l.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		return err
	}
	return l.acquireReadLock()
}

func (l *liteDB) acquireReadLock() error {
	if l.rtx != nil {
		return nil
	}
	tx, err := l.db.BeginTx(l.ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(l.ctx, "SELECT COUNT(1) FROM seq"); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("read lock: %w", err)
	}
	l.rtx = tx
	return nil
}

// Fixed: the sync runs before the cancel.
func (l *liteDB) CloseFixed(ctx context.Context) error {
	err := l.Sync(ctx)
	l.cancel()
	if err != nil {
		return err
	}
	return l.db.Close()
}

// A method that gives the object a new context before the sync: a restart.
func (l *liteDB) Reopen(ctx context.Context) error {
	l.cancel()
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l.Sync(ctx)
}

// Another object's sync: its context was not cancelled here.
func (l *liteDB) CloseOther(other *liteDB, ctx context.Context) error {
	l.cancel()
	return other.Sync(ctx)
}
