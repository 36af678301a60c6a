// Recall case tl-poseidon-executecommand
// Source: github.com/openHPI/poseidon commit 6159f2a045a9844b2174211405deeed8ba652819 (internal/runner/nomad_runner.go)
// Link: https://github.com/openHPI/poseidon/commit/6159f2a045a9844b2174211405deeed8ba652819
// Bug: executeCommand sends the exit info on the unbuffered exitInternal channel; when handleExitOrContextDone took the ctx.Done() branch and gave up waiting after the SIGQUIT grace period, nobody receives and the goroutine blocks forever.
// Fix: The send in executeCommand is wrapped in a select that also returns on ctx.Done().
// Rule: timeoutleak
package runner

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"time"
)

const SIGQUIT = 0x1c

var executionTimeoutGracePeriod = 3 * time.Second

var ErrorUnknownExecution = errors.New("unknown execution")

type ExitInfo struct {
	Code uint8
	Err  error
}

type ExecutionRequest struct {
	Command             string
	TimeLimit           int
	PrivilegedExecution bool
}

func (e *ExecutionRequest) FullCommand() string { return e.Command }

// ExecutorAPI is a stand-in for the Nomad API client; ExecuteCommand runs the command for real.
type ExecutorAPI interface {
	ExecuteCommand(jobID string, ctx context.Context, command string, tty bool, privilegedExecution bool,
		stdin io.Reader, stdout, stderr io.Writer) (int, error)
}

type execAPI struct{}

func (execAPI) ExecuteCommand(jobID string, ctx context.Context, command string, tty bool, privilegedExecution bool,
	stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	err := cmd.Run()
	if cmd.ProcessState != nil {
		return cmd.ProcessState.ExitCode(), err
	}
	return 255, err
}

type NomadJob struct {
	id         string
	api        ExecutorAPI
	ctx        context.Context
	cancel     context.CancelFunc
	executions map[string]*ExecutionRequest
}

func NewNomadJob(id string) *NomadJob {
	ctx, cancel := context.WithCancel(context.Background())
	return &NomadJob{id: id, api: execAPI{}, ctx: ctx, cancel: cancel, executions: map[string]*ExecutionRequest{}}
}

func (r *NomadJob) ExecuteInteractively(
	id string,
	stdin io.ReadWriter,
	stdout, stderr io.Writer,
	requestCtx context.Context,
) (<-chan ExitInfo, context.CancelFunc, error) {
	request, ok := r.executions[id]
	if !ok {
		return nil, nil, ErrorUnknownExecution
	}
	delete(r.executions, id)

	command, executionCtx, cancel := prepareExecution(request, r.ctx)
	exitInternal := make(chan ExitInfo)
	exit := make(chan ExitInfo, 1)
	ctxExecute, cancelExecute := context.WithCancel(requestCtx)

	go r.executeCommand(ctxExecute, command, request.PrivilegedExecution, stdin, stdout, stderr, exitInternal)
	go r.handleExitOrContextDone(executionCtx, cancelExecute, exitInternal, exit, stdin)

	return exit, cancel, nil
}

func prepareExecution(request *ExecutionRequest, environmentCtx context.Context) (
	command string, ctx context.Context, cancel context.CancelFunc,
) {
	command = request.FullCommand()
	if request.TimeLimit == 0 {
		ctx, cancel = context.WithCancel(environmentCtx)
	} else {
		ctx, cancel = context.WithTimeout(environmentCtx, time.Duration(request.TimeLimit)*time.Second)
	}
	return command, ctx, cancel
}

func (r *NomadJob) executeCommand(ctx context.Context, command string, privilegedExecution bool,
	stdin io.ReadWriter, stdout, stderr io.Writer, exit chan<- ExitInfo,
) {
	exitCode, err := r.api.ExecuteCommand(r.id, ctx, command, true, privilegedExecution, stdin, stdout, stderr)
	exit <- ExitInfo{uint8(exitCode), err}
}

func (r *NomadJob) handleExitOrContextDone(ctx context.Context, cancelExecute context.CancelFunc,
	exitInternal <-chan ExitInfo, exit chan<- ExitInfo, stdin io.ReadWriter,
) {
	defer cancelExecute()
	defer close(exit) // When this function has finished the connection to the executor is closed.

	select {
	case exitInfo := <-exitInternal:
		exit <- exitInfo
	case <-ctx.Done():
		r.handleContextDone(exitInternal, exit, stdin, ctx)
	}
}

func (r *NomadJob) handleContextDone(exitInternal <-chan ExitInfo, exit chan<- ExitInfo,
	stdin io.ReadWriter, ctx context.Context) {
	err := ctx.Err()
	exit <- ExitInfo{255, err}

	// Inject SIGQUIT into the tty; the process may ignore it.
	_, _ = stdin.Write([]byte{SIGQUIT})

	select {
	case <-exitInternal:
		// Execution terminated after SIGQUIT.
	case <-time.After(executionTimeoutGracePeriod):
		// Cannot stop execution: give up waiting; the runner is destroyed.
		r.cancel()
	}
}
