// Recall case cc-stackrox-tx-rollback
// Source: github.com/stackrox/stackrox commit 44444b4341208acca8981c4b16ccd8beb0d1e825 (pkg/postgres/tx.go)
// Link: https://github.com/stackrox/stackrox/commit/44444b4341208acca8981c4b16ccd8beb0d1e825
// Bug: Tx.Commit and Tx.Rollback pass the caller's ctx straight to the database; when that ctx has already expired or been cancelled (e.g. rollback after a copy that failed with a deadline) the commit/rollback fails immediately and the transaction is left open.
// Fix: Commit and Rollback wrap the ctx with context.WithoutCancel(ctx) before talking to the database.
// Rule: cleanupctx
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
)

var errTxClosed = errors.New("tx is closed")

// pgxTx is a stand-in for pgx.Tx.
type pgxTx interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// connTx implements pgxTx on a dedicated database/sql connection.
type connTx struct {
	conn   *sql.Conn
	closed bool
}

func (c *connTx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.conn.ExecContext(ctx, query, args...)
}

func (c *connTx) Commit(ctx context.Context) error {
	if c.closed {
		return errTxClosed
	}
	_, err := c.conn.ExecContext(ctx, "COMMIT")
	if err == nil {
		c.closed = true
	}
	return err
}

func (c *connTx) Rollback(ctx context.Context) error {
	if c.closed {
		return errTxClosed
	}
	_, err := c.conn.ExecContext(ctx, "ROLLBACK")
	if err == nil {
		c.closed = true
	}
	return err
}

type txMode int

const (
	original txMode = iota
	inner
	outer
)

// Tx wraps pgx.Tx
type Tx struct {
	pgxTx
	cancelFunc context.CancelFunc
	mode       txMode
}

// Begin starts a transaction on a pooled connection.
func Begin(ctx context.Context, db *sql.DB) (*Tx, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return &Tx{pgxTx: &connTx{conn: conn}, cancelFunc: func() { _ = conn.Close() }}, nil
}

// Commit wraps pgx.Tx Commit but is a NOOP for inner transaction
func (t *Tx) Commit(ctx context.Context) error {
	defer t.cancelFunc()
	if t.mode == inner {
		return nil
	}

	if err := t.pgxTx.Commit(ctx); err != nil {
		log.Printf("commit failed: %v", err)
		return err
	}
	return nil
}

// Rollback wraps pgx.Tx Rollback safe to use even if inner transaction was reverted.
func (t *Tx) Rollback(ctx context.Context) error {
	defer t.cancelFunc()

	if err := t.pgxTx.Rollback(ctx); err != nil {
		if t.mode == outer && errors.Is(err, errTxClosed) {
			log.Printf("Failed to rollback outer tx: %v", err)
			return nil
		}
		log.Printf("rollback failed: %v", err)
		return err
	}
	return nil
}

// copyFrom is the caller from pkg/search/postgres/store.go: it rolls back
// after a failed copy, which is typically caused by ctx having expired.
func copyFrom(ctx context.Context, db *sql.DB, rows [][]any) error {
	tx, err := Begin(ctx, db)
	if err != nil {
		return fmt.Errorf("could not begin transaction: %w", err)
	}

	for _, r := range rows {
		if _, err := tx.Exec(ctx, "INSERT INTO objs VALUES ($1, $2)", r...); err != nil {
			if rollbackErr := tx.Rollback(ctx); rollbackErr != nil {
				return fmt.Errorf("could not rollback transaction: %w", rollbackErr)
			}
			return fmt.Errorf("copy from objects failed: %w", err)
		}
	}

	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("could not commit transaction: %w", err)
	}
	return nil
}
