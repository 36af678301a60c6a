// Recall case cc-tiflow-dm-checkpoint
// Source: github.com/pingcap/tiflow commit 330c88ddb778cada5185a2ea1786da1deba9c755 (syncer/checkpoint.go)
// Link: https://github.com/pingcap/tiflow/commit/330c88ddb778cada5185a2ea1786da1deba9c755   (pingcap/dm PR #1174)
// Bug: RemoteCheckPoint.DeleteTablePoint (called from Syncer.trackDDL for DROP TABLE with ec.tctx) runs the checkpoint DELETE on the syncer's run context, which the task cancels on pause/stop, so the final checkpoint update for an already-handled DDL fails with context canceled.
// Fix: DeleteTablePoint (and Clear/DeleteSchemaPoint/FlushPointsExcept) run the SQL on tctx.WithContext(context.Background()).WithTimeout(maxDMLConnectionDuration).
// Rule: cleanupctx
package syncer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"time"
)

// ---- pkg/context: tcontext.Context ----

// Context is used to in dm to record some context field like go context
type Context struct {
	Ctx context.Context
}

// Background return a nop context
func Background() *Context {
	return &Context{Ctx: context.Background()}
}

// WithContext set go context
func (c *Context) WithContext(ctx context.Context) *Context {
	return &Context{Ctx: ctx}
}

// WithTimeout sets a timeout associated context.
func (c *Context) WithTimeout(timeout time.Duration) (*Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(c.Ctx, timeout)
	return &Context{Ctx: ctx}, cancel
}

// Context returns real context
func (c *Context) Context() context.Context {
	return c.Ctx
}

// ---- pkg/conn: BaseConn ----

// BaseConn wraps a connection to the downstream DB.
type BaseConn struct {
	DBConn *sql.Conn
}

// ExecuteSQLWithIgnoreError executes sql on real DB in one transaction.
func (conn *BaseConn) ExecuteSQLWithIgnoreError(tctx *Context, ignoreErr func(error) bool, queries []string, args ...[]interface{}) (int, error) {
	if len(queries) == 0 {
		return 0, nil
	}
	if conn == nil || conn.DBConn == nil {
		return 0, errors.New("database connection not valid")
	}

	txn, err := conn.DBConn.BeginTx(tctx.Context(), nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}

	l := len(queries)

	for i, query := range queries {
		var arg []interface{}
		if len(args) > i {
			arg = args[i]
		}

		_, err = txn.ExecContext(tctx.Context(), query, arg...)
		if err != nil {
			if ignoreErr != nil && ignoreErr(err) {
				continue
			}
			if rerr := txn.Rollback(); rerr != nil {
				log.Printf("rollback failed: %v", rerr)
			}
			// we should return the exec err, instead of the rollback rerr.
			return i, fmt.Errorf("execute %q: %w", query, err)
		}
	}
	err = txn.Commit()
	if err != nil {
		return l - 1, fmt.Errorf("commit: %w", err) // mark failed on the last one
	}
	return l, nil
}

// ---- syncer/db.go: DBConn ----

// DBConn represents a live DB connection
type DBConn struct {
	baseConn *BaseConn
}

// NewDBConn wraps a downstream connection.
func NewDBConn(c *sql.Conn) *DBConn { return &DBConn{baseConn: &BaseConn{DBConn: c}} }

func (conn *DBConn) executeSQLWithIgnore(tctx *Context, ignoreError func(error) bool, queries []string, args ...[]interface{}) (int, error) {
	if len(queries) == 0 {
		return 0, nil
	}
	if conn == nil || conn.baseConn == nil {
		return 0, errors.New("database base connection not valid")
	}
	return conn.baseConn.ExecuteSQLWithIgnoreError(tctx, ignoreError, queries, args...)
}

func (conn *DBConn) executeSQL(tctx *Context, queries []string, args ...[]interface{}) (int, error) {
	return conn.executeSQLWithIgnore(tctx, nil, queries, args...)
}
