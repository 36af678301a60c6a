// Recall case cc-maestro-rollback
// Source: github.com/topfreegames/maestro commit 077e77be733b812000b502e7521e29ec7602bcc1 (internal/core/workers/operation_execution_worker/operation_execution_worker.go)
// Link: https://github.com/topfreegames/maestro/commit/077e77be733b812000b502e7521e29ec7602bcc1
// Bug: When Execute fails because the operation was cancelled (operationContext cancelled via the function handed to StartOperation), the OnError rollback is called with that same, already-cancelled operationContext, so the rollback's requests fail immediately and nothing is cleaned up.
// Fix: Call the rollback (renamed Rollback) with w.workerContext instead of the cancelled operationContext.
// Rule: cleanupctx
package worker

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
)

type Operation struct {
	ID             string
	SchedulerName  string
	DefinitionName string
	Status         string
}

type Definition interface{ Name() string }

// Executor mirrors maestro's operations.Executor interface.
type Executor interface {
	Execute(ctx context.Context, op *Operation, definition Definition) error
	// OnError is called if Execute returns an error. This will be used
	// for operations that need to do some cleanup or any process if it fails.
	OnError(ctx context.Context, op *Operation, definition Definition, executeErr error) error
}

// OperationManager is a reduced stand-in for ports.OperationManager.
type OperationManager interface {
	NextSchedulerOperation(ctx context.Context, schedulerName string) (*Operation, Definition, error)
	StartOperation(ctx context.Context, op *Operation, cancel context.CancelFunc) error
	FinishOperation(ctx context.Context, op *Operation) error
}

// addRoomsExecutor creates rooms through the runtime API and deletes them on error.
type addRoomsExecutor struct {
	client  *http.Client
	runtime string
}

func (e *addRoomsExecutor) Execute(ctx context.Context, op *Operation, _ Definition) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.runtime+"/schedulers/"+op.SchedulerName+"/rooms", nil)
	if err != nil {
		return err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (e *addRoomsExecutor) OnError(ctx context.Context, op *Operation, _ Definition, _ error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, e.runtime+"/schedulers/"+op.SchedulerName+"/rooms?operation="+op.ID, nil)
	if err != nil {
		return err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("failed to delete created rooms: %w", err)
	}
	return resp.Body.Close()
}

type OperationExecutionWorker struct {
	schedulerName       string
	operationManager    OperationManager
	executorsByName     map[string]Executor
	workerContext       context.Context
	cancelWorkerContext context.CancelFunc
}

func (w *OperationExecutionWorker) Start(ctx context.Context) error {
	w.workerContext, w.cancelWorkerContext = context.WithCancel(ctx)

	for {
		op, def, err := w.operationManager.NextSchedulerOperation(w.workerContext, w.schedulerName)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			w.cancelWorkerContext()
			return fmt.Errorf("failed to get next operation: %w", err)
		}

		executor, hasExecutor := w.executorsByName[def.Name()]
		if !hasExecutor {
			continue
		}

		operationContext, operationCancellationFunction := context.WithCancel(ctx)
		err = w.operationManager.StartOperation(operationContext, op, operationCancellationFunction)
		if err != nil {
			w.cancelWorkerContext()
			operationCancellationFunction()
			return fmt.Errorf("failed to start operation %q for the scheduler %q", op.ID, op.SchedulerName)
		}

		executionErr := executor.Execute(operationContext, op, def)

		op.Status = "finished"
		if executionErr != nil {
			op.Status = "error"
			if errors.Is(executionErr, context.Canceled) {
				op.Status = "canceled"
			}

			onErrorErr := executor.OnError(operationContext, op, def, executionErr)
			if onErrorErr != nil {
				log.Printf("operation OnError failed: %v", onErrorErr)
			}
		}

		err = w.operationManager.FinishOperation(ctx, op)
		if err != nil {
			log.Printf("failed to finish operation: %v", err)
		}
	}
}
