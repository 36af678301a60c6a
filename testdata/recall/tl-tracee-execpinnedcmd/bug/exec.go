// Recall case tl-tracee-execpinnedcmd
// Source: github.com/aquasecurity/tracee commit d3447e4bf7ffc496eba764542d4498af6ded3c1a (tests/testutils/exec.go)
// Link: https://github.com/aquasecurity/tracee/commit/d3447e4bf7ffc496eba764542d4498af6ded3c1a
// Bug: ExecPinnedCmdWithTimeout starts a goroutine that sends cmd.Wait()'s result on an unbuffered channel; when the timeout ticker fires first the function returns and the goroutine blocks forever on the send.
// Fix: cmdDone is created with capacity 1 so the goroutine can always complete its send and exit.
// Rule: timeoutleak
package testutils

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

const pattern = `'[^']*'|\S+` // split on spaces, but not spaces inside single quotes

var re = regexp.MustCompile(pattern)

type commandTimedOut struct {
	command string
	timeout time.Duration
}

func (e *commandTimedOut) Error() string {
	return fmt.Sprintf("command %s timed out after %v", e.command, e.timeout)
}

// ParseCmd parses a command string into a command and arguments.
func ParseCmd(fullCmd string) (string, []string, error) {
	vals := re.FindAllString(fullCmd, -1)

	if len(vals) == 0 {
		return "", nil, fmt.Errorf("no command specified")
	}
	cmd := vals[0]
	cmd, err := exec.LookPath(cmd)
	if err != nil {
		return "", nil, err
	}
	if !filepath.IsAbs(cmd) {
		cmd, err = filepath.Abs(cmd)
		if err != nil {
			return "", nil, err
		}
	}

	args := vals[1:]
	for i, arg := range args {
		args[i] = strings.Trim(arg, "'")
	}

	return cmd, args, nil
}

// ExecPinnedCmdWithTimeout executes a cmd with a timeout and returns the PID of the process.
func ExecPinnedCmdWithTimeout(command string, timeout time.Duration) (int, error) {
	runtime.LockOSThread()         // wire this goroutine to a specific OS thread
	defer runtime.UnlockOSThread() // unlock the thread when we're done

	command, args, err := ParseCmd(command)
	if err != nil {
		return 0, fmt.Errorf("failed to parse command %s: %w", command, err)
	}

	cmd := exec.Command(command, args...)
	err = cmd.Start()
	if err != nil {
		return 0, fmt.Errorf("failed to start command %s: %w", command, err)
	}

	pid := cmd.Process.Pid

	cmdDone := make(chan error)
	go func() {
		cmdDone <- cmd.Wait() // wait for command to exit
	}()

	timeoutTicker := time.NewTicker(timeout)
	defer timeoutTicker.Stop()

	select {
	case <-timeoutTicker.C:
		err := cmd.Process.Kill()
		if err != nil {
			return pid, fmt.Errorf("failed to kill process %s: %w", command, err)
		}
		return pid, &commandTimedOut{command: command, timeout: timeout}
	case err := <-cmdDone:
		if err != nil {
			return pid, fmt.Errorf("command %s failed: %w", command, err)
		}
	}

	return pid, nil
}
