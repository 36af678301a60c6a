// Recall case nd-telegraf-sql-unprepared
// Source: github.com/influxdata/telegraf commit 4c42ed07ea90922ceebfc31b9ad85e039eb8ff13 (plugins/inputs/sql/sql.go)
// Link: https://github.com/influxdata/telegraf/pull/19254
// Bug: executeQuery gets a ctx bounded by the plugin timeout from Gather's goroutine, but the unprepared-query fallback calls s.db.Query without it, so a stuck database blocks the gather forever.
// Fix: the fallback uses s.db.QueryContext(ctx, q.Query).
// Rule: nodeadline
package sqlinput

import (
	"context"
	dbsql "database/sql"
	"sync"
	"time"
)

type query struct {
	Query     string
	statement *dbsql.Stmt
}

type SQL struct {
	Timeout time.Duration
	Queries []query
	db      *dbsql.DB
}

func (s *SQL) Gather() error {
	var wg sync.WaitGroup
	tstart := time.Now()
	for _, q := range s.Queries {
		wg.Add(1)
		go func(q query) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), s.Timeout)
			defer cancel()
			_ = s.executeQuery(ctx, q, tstart)
		}(q)
	}
	wg.Wait()
	return nil
}

func (s *SQL) executeQuery(ctx context.Context, q query, tquery time.Time) error {
	// Execute the query either prepared or unprepared
	var rows *dbsql.Rows
	if q.statement != nil {
		// Use the previously prepared query
		var err error
		rows, err = q.statement.QueryContext(ctx)
		if err != nil {
			return err
		}
	} else {
		// Fallback to unprepared query
		var err error
		rows, err = s.db.Query(q.Query)
		if err != nil {
			return err
		}
	}
	defer rows.Close()

	_, err := rows.Columns()
	return err
}
