// Recall case cc-travisworker-finishprocctx
// Source: github.com/travis-ci/worker commit 1c7d8f98d84b1ff6a6e5c6eee5acbe7a006f9b31 (step_run_script.go)
// Link: https://github.com/travis-ci/worker/commit/1c7d8f98d84b1ff6a6e5c6eee5acbe7a006f9b31
// Bug: stepRunScript.Run, in the `case <-ctx.Done()` (hard timeout) branch, calls writeLogAndFinishWithState(ctx, ...) which sends the final "errored" state update via buildJob.Finish(ctx, ...) with the job ctx that has already hit its deadline, so the state update request fails immediately.
// Fix: the processor-level context (procCtx, stored in the state bag) is passed and used for buildJob.Finish instead of the expired job ctx.
// Rule: cleanupctx
package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"
)

type FinishState string

const (
	FinishStateErrored   FinishState = "errored"
	FinishStateCancelled FinishState = "cancelled"
)

type StepAction int

const (
	ActionContinue StepAction = iota
	ActionHalt
)

// StateBag stands in for multistep.StateBag.
type StateBag map[string]any

func (s StateBag) Get(k string) any    { return s[k] }
func (s StateBag) Put(k string, v any) { s[k] = v }

type RunResult struct {
	Completed bool
	ExitCode  int
}

type Instance interface {
	RunScript(ctx context.Context) (*RunResult, error)
}

type LogWriter interface {
	WriteAndClose(p []byte) (int, error)
	Timeout() <-chan time.Time
}

type Job interface {
	Finish(ctx context.Context, state FinishState) error
}

// httpJob reports job state to job-board over HTTP.
type httpJob struct {
	jobID     uint64
	stateURL  string
	jwt       string
	currentSt string
	finished  time.Time
}

func (j *httpJob) Finish(ctx context.Context, state FinishState) error {
	j.finished = time.Now()
	return j.sendStateUpdate(ctx, j.currentSt, string(state))
}

func (j *httpJob) sendStateUpdate(ctx context.Context, curState, newState string) error {
	payload := map[string]any{
		"cur":      curState,
		"new":      newState,
		"finished": j.finished,
	}
	encodedPayload, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("error encoding json: %w", err)
	}

	req, err := http.NewRequest("PATCH", j.stateURL, bytes.NewReader(encodedPayload))
	if err != nil {
		return fmt.Errorf("couldn't create request: %w", err)
	}
	req = req.WithContext(ctx)
	req.Header.Set("Authorization", fmt.Sprintf("Bearer %s", j.jwt))
	req.Header.Set("Content-Type", "application/json")

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("error making state update request: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("expected %d, but got %d", http.StatusOK, resp.StatusCode)
	}
	return nil
}

type runScriptReturn struct {
	result *RunResult
	err    error
}

type stepRunScript struct {
	logTimeout  time.Duration
	hardTimeout time.Duration
}

func (s *stepRunScript) Run(state StateBag) StepAction {
	procCtx := state.Get("procCtx").(context.Context)
	ctx := state.Get("ctx").(context.Context)
	buildJob := state.Get("buildJob").(Job)
	instance := state.Get("instance").(Instance)
	logWriter := state.Get("logWriter").(LogWriter)
	cancelChan := state.Get("cancelChan").(<-chan struct{})

	resultChan := make(chan runScriptReturn, 1)
	go func() {
		result, err := instance.RunScript(ctx)
		resultChan <- runScriptReturn{result: result, err: err}
	}()

	select {
	case r := <-resultChan:
		if errors.Is(r.err, context.DeadlineExceeded) {
			log.Print("hard timeout exceeded, terminating")
			s.writeLogAndFinishWithState(procCtx, ctx, logWriter, buildJob, FinishStateErrored, "\n\nThe job exceeded the maximum time limit for jobs, and has been terminated.\n\n")
			return ActionHalt
		}
		if r.err != nil {
			return ActionHalt
		}
		state.Put("scriptResult", r.result)
		return ActionContinue
	case <-ctx.Done():
		if ctx.Err() == context.DeadlineExceeded {
			log.Print("hard timeout exceeded, terminating")
			s.writeLogAndFinishWithState(procCtx, ctx, logWriter, buildJob, FinishStateErrored, "\n\nThe job exceeded the maximum time limit for jobs, and has been terminated.\n\n")
			return ActionHalt
		}

		log.Print("context was cancelled, stopping job")
		return ActionHalt
	case <-cancelChan:
		s.writeLogAndFinishWithState(procCtx, ctx, logWriter, buildJob, FinishStateCancelled, "\n\nDone: Job Cancelled\n\n")
		return ActionHalt
	case <-logWriter.Timeout():
		s.writeLogAndFinishWithState(procCtx, ctx, logWriter, buildJob, FinishStateErrored, fmt.Sprintf("\n\nNo output has been received in the last %v\n\n", s.logTimeout))
		return ActionHalt
	}
}

func (s *stepRunScript) writeLogAndFinishWithState(procCtx, ctx context.Context, logWriter LogWriter, buildJob Job, state FinishState, logMessage string) {
	_, err := logWriter.WriteAndClose([]byte(logMessage))
	if err != nil {
		log.Printf("couldn't write final log message: %v", err)
	}

	err = buildJob.Finish(procCtx, state)
	if err != nil {
		log.Printf("couldn't update job state %v: %v", state, err)
	}
}

type Processor struct {
	ctx         context.Context
	hardTimeout time.Duration
}

// runJob mirrors Processor.Run: the job ctx is the processor ctx bounded by the hard timeout.
func (p *Processor) runJob(buildJob Job, instance Instance, logWriter LogWriter, cancelChan <-chan struct{}) {
	ctx, cancel := context.WithTimeout(p.ctx, p.hardTimeout)
	defer cancel()
	p.process(ctx, buildJob, instance, logWriter, cancelChan)
}

func (p *Processor) process(ctx context.Context, buildJob Job, instance Instance, logWriter LogWriter, cancelChan <-chan struct{}) {
	state := StateBag{}
	state.Put("buildJob", buildJob)
	state.Put("procCtx", p.ctx)
	state.Put("ctx", ctx)
	state.Put("instance", instance)
	state.Put("logWriter", logWriter)
	state.Put("cancelChan", cancelChan)

	step := &stepRunScript{logTimeout: 10 * time.Minute, hardTimeout: p.hardTimeout}
	step.Run(state)
}
