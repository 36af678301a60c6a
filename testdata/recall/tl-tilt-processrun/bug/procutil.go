// Recall case tl-tilt-processrun
// Source: github.com/tilt-dev/tilt commit c0d4117ca30c08e29c6354ab3d882cd0b9aa976b (pkg/procutil/procutil_unix.go)
// Link: https://github.com/tilt-dev/tilt/commit/c0d4117ca30c08e29c6354ab3d882cd0b9aa976b
// Bug: processRun starts a goroutine that sends c.Wait()'s result on an unbuffered errCh; when ctx is cancelled processRun takes the ctx.Done() branch and returns, so nobody ever receives and the goroutine blocks forever on errCh <- c.Wait().
// Fix: start the process synchronously and make errCh buffered (make(chan error, 1)) so the single send never blocks; also nil-guard procutil.GracefullyShutdownProcess/KillProcessGroup.
// Rule: timeoutleak
package local

import (
	"os"
	"os/exec"
	"syscall"
)

func SetOptNewProcessGroup(attrs *syscall.SysProcAttr) {
	attrs.Setpgid = true
}

func KillProcessGroup(cmd *exec.Cmd) {
	if cmd != nil && cmd.Process != nil {
		// Kill the entire process group.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

func GracefullyShutdownProcess(p *os.Process) error {
	return syscall.Kill(-p.Pid, syscall.SIGTERM)
}
