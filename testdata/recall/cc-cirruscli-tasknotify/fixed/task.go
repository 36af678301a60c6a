// Recall case cc-cirruscli-tasknotify
// Source: github.com/cirruslabs/cirrus-cli commit 8c890d6f17e179540fde8a698552b133a086a555 (internal/worker/task.go)
// Link: https://github.com/cirruslabs/cirrus-cli/commit/8c890d6f17e179540fde8a698552b133a086a555
// Bug: after inst.Run returns (typically because stopTask cancelled taskCtx), the worker reports TaskFailed/TaskStopped to the server with that same, already cancelled taskCtx, so the final notifications fail immediately and the server never learns the task stopped.
// Fix: each final notification gets its own context.WithTimeout(context.Background(), perCallTimeout) (15s) instead of taskCtx.
// Rule: cleanupctx
package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os/exec"
	"time"
)

const perCallTimeout = 15 * time.Second

type TaskIdentification struct {
	TaskId int64  `json:"task_id"`
	Secret string `json:"secret"`
}

type TaskFailedRequest struct {
	TaskIdentification *TaskIdentification `json:"task_identification"`
	Message            string              `json:"message"`
}

type AgentAwareTask struct {
	TaskId       int64
	ClientSecret string
	Command      []string
}

// rpcClient stands in for the gRPC CirrusCIService client; every call is a real network round trip bounded by ctx.
type rpcClient struct {
	endpoint string
	http     *http.Client
}

func (c *rpcClient) call(ctx context.Context, method string, in any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/"+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: unexpected status %d", method, resp.StatusCode)
	}
	return nil
}

func (c *rpcClient) TaskStarted(ctx context.Context, in *TaskIdentification) (struct{}, error) {
	return struct{}{}, c.call(ctx, "TaskStarted", in)
}

func (c *rpcClient) TaskFailed(ctx context.Context, in *TaskFailedRequest) (struct{}, error) {
	return struct{}{}, c.call(ctx, "TaskFailed", in)
}

func (c *rpcClient) TaskStopped(ctx context.Context, in *TaskIdentification) (struct{}, error) {
	return struct{}{}, c.call(ctx, "TaskStopped", in)
}

// instance stands in for the persistent worker instance: it runs the task and is killed when ctx is cancelled.
type instance struct {
	command []string
}

func (inst *instance) Run(ctx context.Context) error {
	return exec.CommandContext(ctx, inst.command[0], inst.command[1:]...).Run()
}

func (inst *instance) Close() error { return nil }

type Worker struct {
	rpcClient       *rpcClient
	tasks           map[int64]context.CancelFunc
	taskCompletions chan int64
	logger          *log.Logger
}

func (worker *Worker) runTask(ctx context.Context, agentAwareTask *AgentAwareTask) {
	if _, ok := worker.tasks[agentAwareTask.TaskId]; ok {
		worker.logger.Printf("attempted to run task %d which is already running", agentAwareTask.TaskId)
		return
	}

	taskCtx, cancel := context.WithCancel(ctx)
	worker.tasks[agentAwareTask.TaskId] = cancel

	inst := &instance{command: agentAwareTask.Command}

	go func() {
		defer func() {
			if err := inst.Close(); err != nil {
				worker.logger.Printf("failed to close persistent worker instance for task %d: %v",
					agentAwareTask.TaskId, err)
			}

			worker.taskCompletions <- agentAwareTask.TaskId
		}()

		taskIdentification := &TaskIdentification{
			TaskId: agentAwareTask.TaskId,
			Secret: agentAwareTask.ClientSecret,
		}
		_, err := worker.rpcClient.TaskStarted(taskCtx, taskIdentification)
		if err != nil {
			worker.logger.Printf("failed to notify the server about the started task %d: %v",
				agentAwareTask.TaskId, err)
			return
		}

		if err := inst.Run(taskCtx); err != nil {
			worker.logger.Printf("failed to run task %d: %v", agentAwareTask.TaskId, err)

			boundedCtx, cancel := context.WithTimeout(context.Background(), perCallTimeout)
			defer cancel()
			_, err := worker.rpcClient.TaskFailed(boundedCtx, &TaskFailedRequest{
				TaskIdentification: taskIdentification,
				Message:            err.Error(),
			})
			if err != nil {
				worker.logger.Printf("failed to notify the server about the failed task %d: %v",
					agentAwareTask.TaskId, err)
			}
		}

		boundedCtx, cancel := context.WithTimeout(context.Background(), perCallTimeout)
		defer cancel()
		_, err = worker.rpcClient.TaskStopped(boundedCtx, taskIdentification)
		if err != nil {
			worker.logger.Printf("failed to notify the server about the stopped task %d: %v",
				agentAwareTask.TaskId, err)
			return
		}
	}()

	worker.logger.Printf("started task %d", agentAwareTask.TaskId)
}

func (worker *Worker) stopTask(taskID int64) {
	if cancel, ok := worker.tasks[taskID]; ok {
		cancel()
	}

	worker.logger.Printf("sent cancellation signal to task %d", taskID)
}
