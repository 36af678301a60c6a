// Recall case cc-scyllamanager-jobinfostop
// Source: github.com/scylladb/scylla-manager commit 15c13da71e72b97191d2e6e728f9be82415b2826 (pkg/service/backup/worker.go)
// Link: https://github.com/scylladb/scylla-manager/commit/15c13da71e72b97191d2e6e728f9be82415b2826
// Bug: in worker.waitJob, after <-ctx.Done() the job-stop procedure fetches the final job info (RcloneJobInfo) and persists progress (updateProgress -> OnRunProgress) with the already-cancelled ctx, so both calls fail immediately and the stopped job's final state is never recorded.
// Fix: the stop procedure runs on a separate stopCtx := context.Background() for RcloneJobStop, RcloneJobInfo and updateProgress (and a cancelled RcloneJobInfo in the polling branch loops once more to reach the stop procedure).
// Rule: cleanupctx
package backup

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// RunProgress is the persisted progress of a single table upload.
type RunProgress struct {
	RunID       string
	Host        string
	Keyspace    string
	Table       string
	AgentJobID  int64
	StartedAt   *time.Time
	CompletedAt *time.Time
	Error       string
	Uploaded    int64
	Skipped     int64
	Failed      int64
	Files       []string
}

// snapshotDir represents a remote directory containing a table snapshot.
type snapshotDir struct {
	Host     string
	Keyspace string
	Table    string
	Progress *RunProgress
}

type worker struct {
	RunID         string
	Client        *Client
	Logger        *slog.Logger
	OnRunProgress func(ctx context.Context, p *RunProgress)
}

// newWorker wires OnRunProgress to the progress table (stands in for Service.putRunProgressLogError).
func newWorker(runID string, client *Client, logger *slog.Logger, db *sql.DB) *worker {
	return &worker{
		RunID:  runID,
		Client: client,
		Logger: logger,
		OnRunProgress: func(ctx context.Context, p *RunProgress) {
			_, err := db.ExecContext(ctx,
				"UPDATE backup_run_progress SET agent_job_id = $1, uploaded = $2, skipped = $3, failed = $4, error = $5 WHERE run_id = $6 AND host = $7 AND keyspace_name = $8 AND table_name = $9",
				p.AgentJobID, p.Uploaded, p.Skipped, p.Failed, p.Error, p.RunID, p.Host, p.Keyspace, p.Table,
			)
			if err != nil {
				logger.ErrorContext(ctx, "Failed to update run progress", "error", fmt.Sprint(err))
			}
		},
	}
}
