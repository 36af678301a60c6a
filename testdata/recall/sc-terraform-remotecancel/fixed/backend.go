// Recall case sc-terraform-remotecancel
// Source: github.com/hashicorp/terraform commit 01f17fa0ca7fa2221565dc058bdffb23549a3855 (backend/remote/backend.go)
// Link: https://github.com/hashicorp/terraform/commit/01f17fa0ca7fa2221565dc058bdffb23549a3855
// Bug: in Remote.Operation's goroutine, an opErr == context.Canceled with no run (r == nil) is filtered out of error reporting and the goroutine returns leaving runningOp.Result at OperationSuccess, so a cancelled plan/apply exits 0
// Fix: when r == nil && opErr == context.Canceled set runningOp.Result = OperationFailure (and treat tfe.RunCanceled as failure)
// Rule: swallowcancel
package remote

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"
)

// OperationResult describes the result status of an operation.
type OperationResult int

const (
	// OperationSuccess indicates that the operation completed as expected.
	OperationSuccess OperationResult = 0

	// OperationFailure indicates that the operation encountered some sort
	// of error, and thus may have been only partially performed or not
	// performed at all.
	OperationFailure OperationResult = 1
)

// OperationType is an enum used with Operation to specify the operation type.
type OperationType int

const (
	OperationTypeInvalid OperationType = iota
	OperationTypePlan
	OperationTypeApply
)

func (t OperationType) String() string {
	switch t {
	case OperationTypePlan:
		return "OperationTypePlan"
	case OperationTypeApply:
		return "OperationTypeApply"
	}
	return "OperationTypeInvalid"
}

// Operation describes the operation to perform (backend.Operation, reduced).
type Operation struct {
	Type        OperationType
	Workspace   string
	AutoApprove bool
	Destroy     bool
}

// RunningOperation is the result of starting an operation (backend.RunningOperation, reduced).
type RunningOperation struct {
	// For implementers of a backend, this context should not wrap the
	// passed in context. Otherwise, cancelling the parent context will
	// immediately mark this context as "done" but those aren't the semantics
	// we want: we want this context to be done only when the operation itself
	// is fully done.
	context.Context

	// Stop requests the operation to complete early.
	Stop context.CancelFunc

	// Cancel is the context.CancelFunc associated with the embedded context,
	// and can be called to terminate the operation early.
	Cancel context.CancelFunc

	// Result is the exit status of the operation, populated only after the
	// operation has completed.
	Result OperationResult

	// PlanEmpty is populated after a Plan operation completes without error.
	PlanEmpty bool
}

// Remote is the remote backend (reduced).
type Remote struct {
	client *tfeClient

	// opLock locks operations
	opLock sync.Mutex

	// ShowDiagnostics prints diagnostic messages to the UI.
	ShowDiagnostics func(err error)
}

// Operation implements backend.Enhanced.
func (b *Remote) Operation(ctx context.Context, op *Operation) (*RunningOperation, error) {
	w, err := b.client.WorkspacesRead(ctx, op.Workspace)
	if err != nil {
		return nil, generalError("Failed to retrieve workspace", err)
	}

	// Determine the function to call for our operation
	var f func(context.Context, context.Context, *Operation, *Workspace) (*Run, error)
	switch op.Type {
	case OperationTypePlan:
		f = b.opPlan
	default:
		return nil, fmt.Errorf(
			"\n\nThe \"remote\" backend does not support the %q operation.", op.Type)
	}

	// Lock
	b.opLock.Lock()

	// Build our running operation
	// the runninCtx is only used to block until the operation returns.
	runningCtx, done := context.WithCancel(context.Background())
	runningOp := &RunningOperation{
		Context:   runningCtx,
		PlanEmpty: true,
	}

	// stopCtx wraps the context passed in, and is used to signal a graceful Stop.
	stopCtx, stop := context.WithCancel(ctx)
	runningOp.Stop = stop

	// cancelCtx is used to cancel the operation immediately, usually
	// indicating that the process is exiting.
	cancelCtx, cancel := context.WithCancel(context.Background())
	runningOp.Cancel = cancel

	// Do it.
	go func() {
		defer done()
		defer stop()
		defer cancel()

		defer b.opLock.Unlock()

		r, opErr := f(stopCtx, cancelCtx, op, w)
		if opErr != nil && opErr != context.Canceled {
			b.ReportResult(runningOp, opErr)
			return
		}

		if r == nil && opErr == context.Canceled {
			runningOp.Result = OperationFailure
			return
		}

		if r != nil {
			// Retrieve the run to get its current status.
			r, err := b.client.RunsRead(cancelCtx, r.ID)
			if err != nil {
				b.ReportResult(runningOp, generalError("Failed to retrieve run", err))
				return
			}

			// Record if there are any changes.
			runningOp.PlanEmpty = !r.HasChanges

			if opErr == context.Canceled {
				if err := b.cancel(cancelCtx, op, r); err != nil {
					b.ReportResult(runningOp, generalError("Failed to retrieve run", err))
					return
				}
			}

			if r.Status == RunCanceled || r.Status == RunErrored {
				runningOp.Result = OperationFailure
			}
		}
	}()

	// Return the running operation.
	return runningOp, nil
}

func (b *Remote) cancel(cancelCtx context.Context, op *Operation, r *Run) error {
	if r.Status == RunPending && r.IsCancelable {
		// Try to cancel the remote operation.
		err := b.client.RunsCancel(cancelCtx, r.ID)
		if err != nil {
			return generalError("Failed to cancel run", err)
		}
	}
	return nil
}

// ReportResult is a helper for the common chore of setting the status of
// a running operation and showing any diagnostics produced during that
// operation.
func (b *Remote) ReportResult(op *RunningOperation, err error) {
	if err != nil {
		op.Result = OperationFailure
	} else {
		op.Result = OperationSuccess
	}

	if b.ShowDiagnostics != nil {
		b.ShowDiagnostics(err)
	} else if err != nil {
		log.Printf("[ERROR] Remote backend needs to report diagnostics but ShowDiagnostics is not set:\n%s", err)
	}
}

func (b *Remote) opPlan(stopCtx, cancelCtx context.Context, op *Operation, w *Workspace) (*Run, error) {
	log.Printf("[INFO] backend/remote: starting Plan operation")

	if !w.CanQueueRun {
		return nil, errors.New("insufficient rights to generate a plan")
	}

	return b.plan(stopCtx, cancelCtx, op, w)
}

func (b *Remote) plan(stopCtx, cancelCtx context.Context, op *Operation, w *Workspace) (*Run, error) {
	cv, err := b.client.ConfigurationVersionsCreate(stopCtx, w.ID, op.Type == OperationTypePlan)
	if err != nil {
		return nil, generalError("Failed to create configuration version", err)
	}

	uploaded := false
	for i := 0; i < 60 && !uploaded; i++ {
		select {
		case <-stopCtx.Done():
			return nil, context.Canceled
		case <-cancelCtx.Done():
			return nil, context.Canceled
		case <-time.After(500 * time.Millisecond):
			cv, err = b.client.ConfigurationVersionsRead(stopCtx, cv.ID)
			if err != nil {
				return nil, generalError("Failed to retrieve configuration version", err)
			}

			if cv.Status == ConfigurationUploaded {
				uploaded = true
			}
		}
	}

	if !uploaded {
		return nil, generalError(
			"Failed to upload configuration files", errors.New("operation timed out"))
	}

	r, err := b.client.RunsCreate(stopCtx, cv.ID, w.ID, op.Destroy)
	if err != nil {
		return r, generalError("Failed to create run", err)
	}

	return r, nil
}

func generalError(msg string, err error) error {
	return fmt.Errorf("%s: %w", msg, err)
}
