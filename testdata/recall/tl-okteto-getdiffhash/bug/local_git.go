// Recall case tl-okteto-getdiffhash
// Source: github.com/okteto/okteto commit b3323dd459a9c093559ef835c31db8db00d0a3d9 (pkg/repository/local_git.go)
// Link: https://github.com/okteto/okteto/commit/b3323dd459a9c093559ef835c31db8db00d0a3d9
// Bug: in gitRepoController.GetDiffHash the timer goroutine sends errTimeoutExceeded on the unbuffered diffCh/untrackedFilesCh after gitOperationTimeout, but GetDiffHash has usually returned already (normal completion or early error return), so the goroutine blocks forever on a send nobody reads
// Fix: diffCh and untrackedFilesCh get a buffer of 2, so every send completes and the goroutines exit
// Rule: timeoutleak
package repository

import (
	"context"
	"errors"
	"log"
	"os/exec"
	"sort"
	"strings"
)

var (
	errLocalGitCannotGetStatusCannotRecover   = errors.New("cannot get status")
	errLocalGitCannotGetCommitTooManyAttempts = errors.New("too many attempts")
)

// LocalExec runs local commands.
type LocalExec struct{}

// RunCommand runs name with arg in dir, bound to ctx.
func (*LocalExec) RunCommand(ctx context.Context, dir string, name string, arg ...string) ([]byte, error) {
	c := exec.CommandContext(ctx, name, arg...)
	c.Dir = dir
	log.Printf("executing command: %s", strings.Join(c.Args, " "))

	return c.Output()
}

// LocalGit runs git through the local binary.
type LocalGit struct {
	gitPath string
	exec    *LocalExec
}

// NewLocalGit creates a LocalGit.
func NewLocalGit(gitPath string, exec *LocalExec) *LocalGit {
	return &LocalGit{gitPath: gitPath, exec: exec}
}

func (lg *LocalGit) ListUntrackedFiles(ctx context.Context, repoRoot, workdir string, fixAttempt int) ([]string, error) {
	if fixAttempt > 1 {
		return []string{}, errLocalGitCannotGetCommitTooManyAttempts
	}

	lsFilesCmdArgs := []string{"--no-optional-locks", "ls-files", "--others", "--exclude-standard", workdir}

	output, err := lg.exec.RunCommand(ctx, repoRoot, lg.gitPath, lsFilesCmdArgs...)
	if err != nil {
		return []string{}, errLocalGitCannotGetStatusCannotRecover
	}

	lines := strings.Split(string(output), "\n")
	untrackedFiles := []string{}
	for _, line := range lines {
		if line == "" {
			continue
		}
		untrackedFiles = append(untrackedFiles, line)
	}
	// We need to sort the untracked files to make deterministic the order of the files
	sort.Strings(untrackedFiles)
	return untrackedFiles, nil
}

// Diff returns the diff of the repository at the given path
func (lg *LocalGit) Diff(ctx context.Context, gitPath, dirPath string, fixAttempt int) (string, error) {
	if fixAttempt > 1 {
		return "", errLocalGitCannotGetCommitTooManyAttempts
	}

	output, err := lg.exec.RunCommand(ctx, gitPath, lg.gitPath, "--no-optional-locks", "diff", "--no-color", "--", "HEAD", dirPath)
	if err != nil {
		log.Printf("error getting diff of directory %s: %v", dirPath, err)
		return "", errLocalGitCannotGetStatusCannotRecover
	}
	return string(output), nil
}
