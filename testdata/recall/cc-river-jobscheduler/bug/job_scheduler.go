// Recall case cc-river-jobscheduler
// Source: github.com/riverqueue/river commit 20e9f20b4bc5c7d8b08961d272c877ab1866ee79 (internal/maintenance/job_scheduler.go)
// Link: https://github.com/riverqueue/river/pull/1062
// Bug: runOnce defers tx.Rollback(ctx) with the per-batch timeout ctx; when JobSchedule times out the rollback is cancelled too and the transaction is left open.
// Fix: defer dbutil.RollbackWithoutCancel(ctx, tx), which rolls back under context.WithoutCancel(ctx) plus a 5s timeout.
// Rule: cleanupctx
package maintenance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ExecutorTx stands in for riverdriver.ExecutorTx (pgx-style, ctx on Rollback/Commit).
type ExecutorTx struct{ conn *sql.Conn }

func (t *ExecutorTx) Rollback(ctx context.Context) error {
	_, err := t.conn.ExecContext(ctx, "ROLLBACK")
	return err
}

func (t *ExecutorTx) Commit(ctx context.Context) error {
	_, err := t.conn.ExecContext(ctx, "COMMIT")
	return err
}

func (t *ExecutorTx) JobSchedule(ctx context.Context, max int) (n int, err error) {
	err = t.conn.QueryRowContext(ctx, "SELECT count(*) FROM river_job_schedule($1)", max).Scan(&n)
	return n, err
}

type JobScheduler struct {
	db        *sql.DB
	batchSize int
}

func (s *JobScheduler) begin(ctx context.Context) (*ExecutorTx, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return nil, err
	}
	return &ExecutorTx{conn: conn}, nil
}

func (s *JobScheduler) runOnce(ctx context.Context) (int, error) {
	numScheduled, err := func() (int, error) {
		ctx, cancelFunc := context.WithTimeout(ctx, 30*time.Second)
		defer cancelFunc()

		tx, err := s.begin(ctx)
		if err != nil {
			return 0, fmt.Errorf("error starting transaction: %w", err)
		}
		defer tx.Rollback(ctx)

		n, err := tx.JobSchedule(ctx, s.batchSize)
		if err != nil {
			return 0, fmt.Errorf("error scheduling jobs: %w", err)
		}
		return n, tx.Commit(ctx)
	}()
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			s.batchSize /= 2
		}
		return 0, err
	}
	return numScheduled, nil
}
