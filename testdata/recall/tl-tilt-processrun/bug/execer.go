// Recall case tl-tilt-processrun
// Source: github.com/tilt-dev/tilt commit c0d4117ca30c08e29c6354ab3d882cd0b9aa976b (internal/engine/local/execer.go)
// Link: https://github.com/tilt-dev/tilt/commit/c0d4117ca30c08e29c6354ab3d882cd0b9aa976b
// Bug: processRun starts a goroutine that sends c.Wait()'s result on an unbuffered errCh; when ctx is cancelled processRun takes the ctx.Done() branch and returns, so nobody ever receives and the goroutine blocks forever on errCh <- c.Wait().
// Fix: start the process synchronously and make errCh buffered (make(chan error, 1)) so the single send never blocks; also nil-guard procutil.GracefullyShutdownProcess/KillProcessGroup.
// Rule: timeoutleak
package local

import (
	"context"
	"io"
	"log"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

type status int

const (
	Unknown status = iota
	Running
	Done
	Error
)

type statusAndMetadata struct {
	pid    int
	status status
	spanID string
}

// Cmd mirrors model.Cmd.
type Cmd struct {
	Argv []string
}

func (c Cmd) String() string { return strings.Join(c.Argv, " ") }

// ctxLogger is a stand-in for pkg/logger.Get(ctx).
type ctxLogger struct{ *log.Logger }

func (l ctxLogger) Infof(format string, a ...interface{})  { l.Printf(format, a...) }
func (l ctxLogger) Errorf(format string, a ...interface{}) { l.Printf(format, a...) }

func loggerGet(ctx context.Context) ctxLogger { return ctxLogger{log.Default()} }

type Execer interface {
	Start(ctx context.Context, cmd Cmd, w io.Writer, statusCh chan statusAndMetadata, spanID string) chan struct{}
}

type processExecer struct{}

func NewProcessExecer() *processExecer {
	return &processExecer{}
}

func (e *processExecer) Start(ctx context.Context, cmd Cmd, w io.Writer, statusCh chan statusAndMetadata, spanID string) chan struct{} {
	doneCh := make(chan struct{})

	go processRun(ctx, cmd, w, statusCh, doneCh, spanID)

	return doneCh
}

func processRun(ctx context.Context, cmd Cmd, w io.Writer, statusCh chan statusAndMetadata, doneCh chan struct{}, spanID string) {
	defer close(doneCh)
	defer close(statusCh)

	loggerGet(ctx).Infof("Running serve cmd: %s", cmd.String())
	c := exec.Command(cmd.Argv[0], cmd.Argv[1:]...)

	c.SysProcAttr = &syscall.SysProcAttr{}
	SetOptNewProcessGroup(c.SysProcAttr)
	c.Stderr = w
	c.Stdout = w

	errCh := make(chan error)

	go func() {
		err := c.Start()
		if err != nil {
			errCh <- err
			return
		}

		statusCh <- statusAndMetadata{status: Running, pid: c.Process.Pid, spanID: spanID}
		errCh <- c.Wait()
	}()

	select {
	case err := <-errCh:
		if err == nil {
			loggerGet(ctx).Errorf("%s exited with exit code 0", cmd.String())
		} else if ee, ok := err.(*exec.ExitError); ok {
			loggerGet(ctx).Errorf("%s exited with exit code %d", cmd.String(), ee.ExitCode())
		} else {
			loggerGet(ctx).Errorf("error execing %s: %v", cmd.String(), err)
		}
		statusCh <- statusAndMetadata{status: Error, spanID: spanID}
	case <-ctx.Done():
		err := GracefullyShutdownProcess(c.Process)
		if err != nil {
			KillProcessGroup(c)
		} else {
			// wait and then send SIGKILL to the process group, unless the command finished
			select {
			case <-time.After(50 * time.Millisecond):
				KillProcessGroup(c)
			case <-doneCh:
			}
		}
		statusCh <- statusAndMetadata{status: Done, spanID: spanID}
	}
}
