// Recall case cc-scyllamanager-jobinfostop
// Source: github.com/scylladb/scylla-manager commit 15c13da71e72b97191d2e6e728f9be82415b2826 (pkg/service/backup/worker_upload.go)
// Link: https://github.com/scylladb/scylla-manager/commit/15c13da71e72b97191d2e6e728f9be82415b2826
// Bug: in worker.waitJob, after <-ctx.Done() the job-stop procedure fetches the final job info (RcloneJobInfo) and persists progress (updateProgress -> OnRunProgress) with the already-cancelled ctx, so both calls fail immediately and the stopped job's final state is never recorded.
// Fix: the stop procedure runs on a separate stopCtx := context.Background() for RcloneJobStop, RcloneJobInfo and updateProgress (and a cancelled RcloneJobInfo in the polling branch loops once more to reach the stop procedure).
// Rule: cleanupctx
package backup

import (
	"context"
	"errors"
	"fmt"
)

func (w *worker) uploadDataDir(ctx context.Context, dst, src string, d snapshotDir) error {
	id, err := w.Client.RcloneCopyDir(ctx, d.Host, dst, src)
	if err != nil {
		return err
	}

	w.Logger.DebugContext(ctx, "Uploading dir", "host", d.Host, "from", src, "to", dst, "job_id", id)
	d.Progress.AgentJobID = id
	w.onRunProgress(ctx, d.Progress)

	if err := w.waitJob(ctx, id, d); err != nil {
		w.Logger.ErrorContext(ctx, "Upload dir failed", "host", d.Host, "from", src, "to", dst, "error", err)
		return err
	}
	return nil
}

func (w *worker) waitJob(ctx context.Context, id int64, d snapshotDir) (err error) {
	for {
		select {
		case <-ctx.Done():
			// Running stop procedure in different context because original
			// is canceled.
			stopCtx := context.Background()

			err := w.Client.RcloneJobStop(stopCtx, d.Host, id)
			if err != nil {
				w.Logger.ErrorContext(ctx, "Failed to stop rclone job",
					"host", d.Host,
					"keyspace", d.Keyspace,
					"table", d.Table,
					"job_id", id,
					"error", err,
				)
			}
			job, err := w.Client.RcloneJobInfo(stopCtx, d.Host, id)
			if err != nil {
				w.Logger.ErrorContext(ctx, "Failed to fetch job info",
					"host", d.Host,
					"keyspace", d.Keyspace,
					"table", d.Table,
					"job_id", id,
					"error", err,
				)
				return err
			}
			w.updateProgress(stopCtx, d, job)
			return ctx.Err()
		default:
			job, err := w.Client.RcloneJobInfo(ctx, d.Host, id)
			if err != nil {
				w.Logger.ErrorContext(ctx, "Failed to fetch job info",
					"host", d.Host,
					"keyspace", d.Keyspace,
					"table", d.Table,
					"job_id", id,
					"error", err,
				)
				// If context is canceled loop once again to select job
				// stopping procedure.
				if ctx.Err() == context.Canceled {
					continue
				}
				return err
			}
			switch w.Client.RcloneStatusOfJob(job.Job) {
			case JobError:
				return fmt.Errorf("job error (%d): %s", id, job.Job.Error)
			case JobSuccess:
				w.updateProgress(ctx, d, job)
				return nil
			case JobRunning:
				w.updateProgress(ctx, d, job)
			case JobNotFound:
				return fmt.Errorf("job not found (%d)", id)
			}
		}
	}
}

func (w *worker) updateProgress(ctx context.Context, d snapshotDir, job *RcloneJobInfo) {
	p := d.Progress

	// Build mapping from file name to transfer entries
	var fileTransfers = make(map[string][]*RcloneTransfer, len(job.Transferred))
	for _, tr := range job.Transferred {
		fileTransfers[tr.Name] = append(fileTransfers[tr.Name], tr)
	}

	// Clear values
	p.StartedAt = nil
	p.CompletedAt = nil
	p.Error = ""
	p.Uploaded = 0
	p.Skipped = 0
	p.Failed = 0

	// Set StartedAt and CompletedAt based on Job
	if t := job.Job.StartTime; !t.IsZero() {
		p.StartedAt = &t
	}
	if t := job.Job.EndTime; !t.IsZero() {
		p.CompletedAt = &t
	}

	var errs []error
	for _, f := range p.Files {
		ft := fileTransfers[f]
		if len(ft) == 0 {
			continue
		}
		last := ft[len(ft)-1]
		if last.Error != "" {
			p.Failed += last.Size - last.Bytes
			errs = append(errs, fmt.Errorf("%s %s", f, last.Error))
		}
		if len(ft) == 1 && last.Checked {
			// File is already uploaded we just checked.
			p.Skipped += last.Size
		} else {
			p.Uploaded += last.Bytes
		}
	}

	if len(errs) > 0 {
		p.Error = errors.Join(errs...).Error()
	}

	w.onRunProgress(ctx, p)
}

func (w *worker) onRunProgress(ctx context.Context, p *RunProgress) {
	if w.OnRunProgress != nil {
		w.OnRunProgress(ctx, p)
	}
}
