// Recall case cc-rqlite-rollback
// Source: github.com/rqlite/rqlite commit dbc33e84e81524c624c91106899a2088c3dad9f0 (db/db.go)
// Link: https://github.com/rqlite/rqlite/commit/dbc33e84e81524c624c91106899a2088c3dad9f0
// Bug: in DB.executeWithConn, handleError runs the RollbackOnError "ROLLBACK" through executeStmtWithConn with the request ctx, which is typically already cancelled or past its deadline when the failing statement errored, so the rollback cannot go through.
// Fix: run the ROLLBACK with context.Background() (bounded by req.DbTimeout inside executeStmtWithConn); also return ctx.Err() from executeStmtWithConn when the ctx ended.
// Rule: cleanupctx
package db

import (
	"context"
	"database/sql"
	"time"
)

// Statement stands in for command.Statement.
type Statement struct {
	Sql        string
	Parameters []any
}

// Request stands in for command.Request.
type Request struct {
	Statements      []*Statement
	Transaction     bool
	RollbackOnError bool
	DbTimeout       int64
}

// ExecuteResult stands in for command.ExecuteResult.
type ExecuteResult struct {
	LastInsertId int64
	RowsAffected int64
	Time         float64
}

// ExecuteQueryResponse stands in for command.ExecuteQueryResponse.
type ExecuteQueryResponse struct {
	Error string
	E     *ExecuteResult
}

// DB is the SQL database.
type DB struct {
	rwDB *sql.DB // Database connection for database reads and writes.
}

type execerQueryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ExecuteWithContext executes queries that modify the database, using the given context.
func (db *DB) ExecuteWithContext(ctx context.Context, req *Request, xTime bool) ([]*ExecuteQueryResponse, error) {
	conn, err := db.rwDB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return db.executeWithConn(ctx, req, xTime, conn)
}

func (db *DB) executeWithConn(ctx context.Context, req *Request, xTime bool, conn *sql.Conn) ([]*ExecuteQueryResponse, error) {
	var err error

	eqer := execerQueryer(conn)
	var tx *sql.Tx
	if req.Transaction {
		tx, err = conn.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		defer func() {
			if tx != nil {
				tx.Rollback() // Will be ignored if tx is committed
			}
		}()
		eqer = tx
	}

	var allResults []*ExecuteQueryResponse

	// handleError sets the error field on the given result. It returns
	// whether the caller should continue processing or break.
	handleError := func(result *ExecuteQueryResponse, err error) bool {
		result.Error = err.Error()
		allResults = append(allResults, result)
		if tx != nil {
			tx.Rollback()
			tx = nil
			return false
		}
		if req.RollbackOnError {
			db.executeStmtWithConn(ctx, &Statement{Sql: "ROLLBACK"}, false, eqer, time.Duration(req.DbTimeout))
			return false
		}
		return true
	}

	// Execute each statement.
	for _, stmt := range req.Statements {
		ss := stmt.Sql
		if ss == "" {
			continue
		}

		result, err := db.executeStmtWithConn(ctx, stmt, xTime, eqer, time.Duration(req.DbTimeout))
		if err != nil {
			if handleError(result, err) {
				continue
			}
			break
		}
		allResults = append(allResults, result)
	}

	if tx != nil {
		err = tx.Commit()
	}
	return allResults, err
}

func (db *DB) executeStmtWithConn(ctx context.Context, stmt *Statement, xTime bool, eq execerQueryer, timeout time.Duration) (res *ExecuteQueryResponse, retErr error) {
	response := &ExecuteQueryResponse{}
	start := time.Now()

	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}

	result, err := eq.ExecContext(ctx, stmt.Sql, stmt.Parameters...)
	if err != nil {
		response.Error = err.Error()
		return response, err
	}
	if result == nil {
		return response, nil
	}

	lid, err := result.LastInsertId()
	if err != nil {
		response.Error = err.Error()
		return response, err
	}

	ra, err := result.RowsAffected()
	if err != nil {
		response.Error = err.Error()
		return response, err
	}
	tf := float64(0)
	if xTime {
		tf = time.Since(start).Seconds()
	}

	response.E = &ExecuteResult{
		LastInsertId: lid,
		RowsAffected: ra,
		Time:         tf,
	}
	return response, nil
}
