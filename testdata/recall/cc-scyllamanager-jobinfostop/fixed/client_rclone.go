// Recall case cc-scyllamanager-jobinfostop
// Source: github.com/scylladb/scylla-manager commit 15c13da71e72b97191d2e6e728f9be82415b2826 (pkg/scyllaclient/client_rclone.go)
// Link: https://github.com/scylladb/scylla-manager/commit/15c13da71e72b97191d2e6e728f9be82415b2826
// Bug: in worker.waitJob, after <-ctx.Done() the job-stop procedure fetches the final job info (RcloneJobInfo) and persists progress (updateProgress -> OnRunProgress) with the already-cancelled ctx, so both calls fail immediately and the stopped job's final state is never recorded.
// Fix: the stop procedure runs on a separate stopCtx := context.Background() for RcloneJobStop, RcloneJobInfo and updateProgress (and a cancelled RcloneJobInfo in the polling branch loops once more to reach the stop procedure).
// Rule: cleanupctx
package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Client stands in for scyllaclient.Client talking to the scylla-manager agent over HTTP;
// like the real client, every request is bounded by RequestTimeout.
type Client struct {
	http               *http.Client
	agentPort          string
	longPollingSeconds int64
}

// DefaultRequestTimeout stands in for scyllaclient.DefaultConfig().RequestTimeout.
var DefaultRequestTimeout = 15 * time.Second

func NewClient(longPollingSeconds int64) *Client {
	return &Client{
		http:               &http.Client{Timeout: DefaultRequestTimeout + time.Duration(longPollingSeconds)*time.Second},
		agentPort:          "10001",
		longPollingSeconds: longPollingSeconds,
	}
}

func (c *Client) call(ctx context.Context, host, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	url := fmt.Sprintf("http://%s:%s/agent/rclone/%s", host, c.agentPort, path)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("agent %s: %s", path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// RcloneCopyDir starts an async copy job and returns its id.
func (c *Client) RcloneCopyDir(ctx context.Context, host, dstRemotePath, srcRemotePath string) (int64, error) {
	var out struct {
		Jobid int64 `json:"jobid"`
	}
	err := c.call(ctx, host, "sync/copydir", map[string]any{"_async": true, "srcFs": srcRemotePath, "dstFs": dstRemotePath}, &out)
	return out.Jobid, err
}

// RcloneJobStop stops running job.
func (c *Client) RcloneJobStop(ctx context.Context, host string, jobID int64) error {
	return c.call(ctx, host, "job/stop", map[string]int64{"jobid": jobID}, nil)
}

// Job stands in for models.Job.
type Job struct {
	Finished  bool      `json:"finished"`
	Success   bool      `json:"success"`
	Error     string    `json:"error"`
	StartTime time.Time `json:"startTime"`
	EndTime   time.Time `json:"endTime"`
}

// RcloneTransfer represents a single file transfer in RcloneJobInfo Transferred.
type RcloneTransfer struct {
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	Bytes   int64  `json:"bytes"`
	Checked bool   `json:"checked"`
	Error   string `json:"error"`
}

// RcloneJobInfo aggregates current, transferred and job statuses.
type RcloneJobInfo struct {
	Job         *Job              `json:"job"`
	Transferred []*RcloneTransfer `json:"transferred"`
}

// RcloneJobInfo returns aggregated stats for the job along with job status.
func (c *Client) RcloneJobInfo(ctx context.Context, host string, jobID int64) (*RcloneJobInfo, error) {
	out := new(RcloneJobInfo)
	if err := c.call(ctx, host, "job/info", map[string]int64{"jobid": jobID, "wait": c.longPollingSeconds}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// RcloneJobStatus returns status of the job.
type RcloneJobStatus string

// RcloneJobStatus enumeration.
const (
	JobError    RcloneJobStatus = "error"
	JobSuccess  RcloneJobStatus = "success"
	JobRunning  RcloneJobStatus = "running"
	JobNotFound RcloneJobStatus = "not_found"
)

// RcloneStatusOfJob extracts simple status from rclone job.
func (c *Client) RcloneStatusOfJob(job *Job) (status RcloneJobStatus) {
	status = JobRunning

	switch {
	case job == nil:
		status = JobNotFound
	case job.Finished && job.Success:
		status = JobSuccess
	case job.Finished && !job.Success:
		status = JobError
	}

	return
}
