// Recall case tl-stolon-dbexec
// Source: github.com/sorintlab/stolon commit 4e1b964f1bdc5e999875af8c4e2eed28beb68323 (internal/postgresql/utils.go)
// Link: https://github.com/sorintlab/stolon/commit/4e1b964f1bdc5e999875af8c4e2eed28beb68323
// Bug: dbExec/query run db.Exec/db.Query in a goroutine that sends the result on an unbuffered channel; when ctx is done first the caller returns and the goroutine blocks forever on the send (leaking it and the sql rows/connection).
// Fix: use db.ExecContext/db.QueryContext with the caller ctx directly instead of the goroutine + unbuffered channel.
// Rule: timeoutleak
package postgresql

import (
	"context"
	"database/sql"
	"fmt"
)

// ConnParams is a reduced stand-in for stolon's connection parameters.
type ConnParams map[string]string

// ConnString builds a libpq style connection string.
func (p ConnParams) ConnString() string {
	s := ""
	for k, v := range p {
		s += fmt.Sprintf("%s=%s ", k, v)
	}
	return s
}

func dbExec(ctx context.Context, db *sql.DB, query string, args ...interface{}) (sql.Result, error) {
	ch := make(chan struct {
		res sql.Result
		err error
	})
	go func() {
		res, err := db.Exec(query, args...)
		ch <- struct {
			res sql.Result
			err error
		}{res, err}
	}()

	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case out := <-ch:
		return out.res, out.err
	}
}

func query(ctx context.Context, db *sql.DB, query string, args ...interface{}) (*sql.Rows, error) {
	ch := make(chan struct {
		rows *sql.Rows
		err  error
	})
	go func() {
		rows, err := db.Query(query, args...)
		ch <- struct {
			rows *sql.Rows
			err  error
		}{rows, err}
	}()

	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case out := <-ch:
		return out.rows, out.err
	}
}

func ping(ctx context.Context, connParams ConnParams) error {
	db, err := sql.Open("postgres", connParams.ConnString())
	if err != nil {
		return err
	}
	defer db.Close()

	_, err = dbExec(ctx, db, "select 1")
	if err != nil {
		return err
	}
	return nil
}

func setPassword(ctx context.Context, connParams ConnParams, username, password string) error {
	db, err := sql.Open("postgres", connParams.ConnString())
	if err != nil {
		return err
	}
	defer db.Close()

	_, err = dbExec(ctx, db, fmt.Sprintf(`alter role %s with password '%s';`, username, password))
	return err
}

// GetRole reads the replication role of the instance.
func GetRole(ctx context.Context, connParams ConnParams) (string, error) {
	db, err := sql.Open("postgres", connParams.ConnString())
	if err != nil {
		return "", err
	}
	defer db.Close()

	rows, err := query(ctx, db, "SELECT pg_is_in_recovery from pg_is_in_recovery()")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var isInRecovery bool
		if err := rows.Scan(&isInRecovery); err != nil {
			return "", err
		}
		if isInRecovery {
			return "standby", nil
		}
		return "master", nil
	}
	return "", fmt.Errorf("cannot get pg role")
}
