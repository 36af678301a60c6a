// Recall case nd-otf-worker-claim
// Source: github.com/leg100/otf commit 09577ded12b53f8fe409bef49a16093d571e64e7 (agent/worker.go)
// Link: https://github.com/leg100/otf/commit/09577ded12b53f8fe409bef49a16093d571e64e7
// Bug: Worker.handle has the agent's ctx but calls the remote JobService Claim/Finish RPCs (HTTP calls to the otf server) with context.Background(), so they can never be cancelled or time out on shutdown.
// Fix: Pass the worker's ctx to js.Claim and js.Finish instead of context.Background().
// Rule: nodeadline
package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
)

const DefaultID = "agent-001"

// Job is a stand-in for otf.Job.
type Job struct {
	ID string `json:"id"`
}

func (j Job) JobID() string { return j.ID }

type JobClaimOptions struct {
	AgentID string `json:"agent_id"`
}

type JobFinishOptions struct {
	Errored bool `json:"errored"`
}

// JobService is a stand-in for otf.JobService.
type JobService interface {
	Claim(ctx context.Context, id string, opts JobClaimOptions) (Job, error)
	Finish(ctx context.Context, id string, opts JobFinishOptions) (Job, error)
}

// remoteJobService is a stand-in for the otf http client used by remote agents.
type remoteJobService struct {
	addr   string
	client *http.Client
}

func (s *remoteJobService) do(ctx context.Context, path string, body any) (Job, error) {
	buf, err := json.Marshal(body)
	if err != nil {
		return Job{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.addr+path, bytes.NewReader(buf))
	if err != nil {
		return Job{}, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return Job{}, err
	}
	defer resp.Body.Close()
	var job Job
	if err := json.NewDecoder(resp.Body).Decode(&job); err != nil {
		return Job{}, err
	}
	return job, nil
}

func (s *remoteJobService) Claim(ctx context.Context, id string, opts JobClaimOptions) (Job, error) {
	return s.do(ctx, fmt.Sprintf("/api/v2/jobs/%s/claim", id), opts)
}

func (s *remoteJobService) Finish(ctx context.Context, id string, opts JobFinishOptions) (Job, error) {
	return s.do(ctx, fmt.Sprintf("/api/v2/jobs/%s/finish", id), opts)
}

// Supervisor is a trimmed stand-in for the agent supervisor.
type Supervisor struct {
	runs    chan Job
	service JobService
}

func (s *Supervisor) GetRun() <-chan Job { return s.runs }

// Worker sequentially executes runs on behalf of a supervisor.
type Worker struct {
	*Supervisor
}

// Start starts the worker which waits for runs to execute.
func (w *Worker) Start(ctx context.Context) {
	for {
		select {
		case job := <-w.GetRun():
			w.handle(ctx, job)
		case <-ctx.Done():
			return
		}
	}
}

// handle executes the incoming job
func (w *Worker) handle(ctx context.Context, job Job) {
	js := w.service

	// Claim the job before proceeding in case another agent has claimed it.
	job, err := js.Claim(ctx, job.JobID(), JobClaimOptions{AgentID: DefaultID})
	if err != nil {
		log.Println("unable to start job", err)
		return
	}

	log.Println("executing job")

	var finishOptions JobFinishOptions

	if err := execute(ctx, job); err != nil {
		log.Println("executing job", err)
		finishOptions.Errored = true
	}

	// Regardless of job success, mark job as finished
	_, err = js.Finish(ctx, job.JobID(), finishOptions)
	if err != nil {
		log.Println("finishing job", err)
	}

	log.Println("finished job")
}

func execute(ctx context.Context, job Job) error {
	return ctx.Err()
}
