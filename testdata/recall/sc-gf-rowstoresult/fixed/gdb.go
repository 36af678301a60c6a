// Recall case sc-gf-rowstoresult
// Source: github.com/gogf/gf commit 2c9645b541608df78fb8d8136d2399ae8ad00650 (database/gdb/gdb_core_underlying.go)
// Link: https://github.com/gogf/gf/commit/2c9645b541608df78fb8d8136d2399ae8ad00650
// Bug: Core.RowsToResult never checks rows.Err(): when the QueryContext ctx (caller ctx or the QueryTimeout ctx from GetCtxTimeout) is cancelled or expires mid-scan, rows.Next() returns false and Core.Query returns an empty or truncated Result with a nil error.
// Fix: after each false rows.Next() in RowsToResult, return rows.Err() if it is non-nil.
// Rule: swallowcancel
package gdb

import (
	"context"
	"database/sql"
	"log"
	"time"
)

// Record is the row record of the table.
type Record map[string]any

// Result is the row record array.
type Result []Record

// Link is a common database function wrapper interface.
type Link interface {
	QueryContext(ctx context.Context, sql string, args ...any) (*sql.Rows, error)
}

// ConfigNode is configuration for one node.
type ConfigNode struct {
	QueryTimeout time.Duration // Query timeout (optional)
}

// SqlType is the type of a committed SQL operation.
type SqlType string

// SqlTypeQueryContext is the only SqlType kept in this reduction.
const SqlTypeQueryContext SqlType = "DB.QueryContext"

type ctxTimeoutType int

const ctxTimeoutTypeQuery ctxTimeoutType = 1

// DoCommitInput is the input parameters for function DoCommit.
type DoCommitInput struct {
	Link Link
	Sql  string
	Args []any
	Type SqlType
}

// DoCommitOutput is the output parameters for function DoCommit.
type DoCommitOutput struct {
	Records   Result
	RawResult any
}

// Core is the base struct for database management.
type Core struct {
	slave  *sql.DB
	config *ConfigNode
}

// GetCtxTimeout returns the context and cancel function for specified timeout type.
func (c *Core) GetCtxTimeout(ctx context.Context, timeoutType ctxTimeoutType) (context.Context, context.CancelFunc) {
	switch timeoutType {
	case ctxTimeoutTypeQuery:
		if c.config.QueryTimeout > 0 {
			return context.WithTimeout(ctx, c.config.QueryTimeout)
		}
	}
	return ctx, func() {}
}

// SlaveLink acts like function Slave but with additional `schema` parameter specifying
// the schema for the connection.
func (c *Core) SlaveLink() (Link, error) {
	return c.slave, nil
}

// Query commits one query SQL to underlying driver and returns the execution result.
// It is most commonly used for data querying.
func (c *Core) Query(ctx context.Context, sql string, args ...any) (result Result, err error) {
	return c.DoQuery(ctx, nil, sql, args...)
}

// DoQuery commits the sql string and its arguments to underlying driver
// through given link object and returns the execution result.
func (c *Core) DoQuery(ctx context.Context, link Link, sql string, args ...any) (result Result, err error) {
	if link == nil {
		if link, err = c.SlaveLink(); err != nil {
			return nil, err
		}
	}
	// Link execution.
	var out DoCommitOutput
	out, err = c.DoCommit(ctx, DoCommitInput{
		Link: link,
		Sql:  sql,
		Args: args,
		Type: SqlTypeQueryContext,
	})
	if err != nil {
		return nil, err
	}
	return out.Records, err
}

// DoCommit commits current sql and arguments to underlying sql driver.
func (c *Core) DoCommit(ctx context.Context, in DoCommitInput) (out DoCommitOutput, err error) {
	var (
		sqlRows              *sql.Rows
		cancelFuncForTimeout context.CancelFunc
	)

	// Execution by type.
	switch in.Type {
	case SqlTypeQueryContext:
		ctx, cancelFuncForTimeout = c.GetCtxTimeout(ctx, ctxTimeoutTypeQuery)
		defer cancelFuncForTimeout()
		sqlRows, err = in.Link.QueryContext(ctx, in.Sql, in.Args...)
		out.RawResult = sqlRows
	}
	// Result handling.
	switch {
	case sqlRows != nil:
		out.Records, err = c.RowsToResult(ctx, sqlRows)
	}
	return out, err
}

// RowsToResult converts underlying data record type sql.Rows to Result type.
func (c *Core) RowsToResult(ctx context.Context, rows *sql.Rows) (Result, error) {
	if rows == nil {
		return nil, nil
	}
	defer func() {
		if err := rows.Close(); err != nil {
			log.Printf(`%+v`, err)
		}
	}()
	if !rows.Next() {
		// A false return from rows.Next() has two meanings: the result set is exhausted,
		// or the iteration was interrupted by an error, which is only retrievable through
		// rows.Err(). Without this check an error that aborts the iteration, such as a
		// deadlock hit while scanning a `SELECT ... FOR UPDATE`, is silently reported to
		// the caller as an empty result set with a nil error.
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, nil
	}
	// Column names and types.
	columnTypes, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}

	var (
		values   = make([]any, len(columnTypes))
		result   = make(Result, 0)
		scanArgs = make([]any, len(values))
	)
	for i := range values {
		scanArgs[i] = &values[i]
	}
	for {
		if err = rows.Scan(scanArgs...); err != nil {
			return result, err
		}
		record := Record{}
		for i, value := range values {
			record[columnTypes[i].Name()] = value
		}
		result = append(result, record)
		if !rows.Next() {
			// Same as above. Without this check the caller receives a silently truncated
			// result set together with a nil error, which is even harder to notice than
			// an empty one.
			if err = rows.Err(); err != nil {
				return nil, err
			}
			break
		}
	}
	return result, nil
}
