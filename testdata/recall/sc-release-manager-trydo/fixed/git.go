// Recall case sc-release-manager-trydo
// Source: github.com/lunarway/release-manager commit c6de4b4ae29f71690e2b4e88634acf982d7d6046 (internal/git/git.go)
// Link: https://github.com/lunarway/release-manager/commit/c6de4b4ae29f71690e2b4e88634acf982d7d6046
// Bug: try.Do keeps calling f up to max attempts even after the caller's context is cancelled, so a release whose request was cancelled keeps retrying the clone/commit/push and the cancellation is reported as ordinary attempt failures.
// Fix: try.Do takes the ctx and returns ctx.Err() (joined with earlier errors) before starting another attempt once the context is done.
// Rule: swallowcancel
package try

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// ErrNothingToCommit is returned by Commit when the working tree is clean.
var ErrNothingToCommit = errors.New("nothing to commit")

// GitService is a small stand-in for release-manager's internal/git.Service:
// it shells out to git with the caller's context.
type GitService struct {
	ConfigRepoURL string
}

// TempDir creates a temporary directory and returns a func removing it.
func TempDir(prefix string) (string, func(), error) {
	p, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", func() {}, err
	}
	return p, func() { os.RemoveAll(p) }, nil
}

// Clone clones the config repository into destination.
func (s *GitService) Clone(ctx context.Context, destination string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", "clone", "--depth", "1", s.ConfigRepoURL, destination)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("git clone: %s: %w", out, err)
	}
	return destination, nil
}

// Commit commits changes at path and pushes them to origin.
func (s *GitService) Commit(ctx context.Context, repo, path, msg string) error {
	add := exec.CommandContext(ctx, "git", "-C", repo, "add", path)
	if out, err := add.CombinedOutput(); err != nil {
		return fmt.Errorf("git add: %s: %w", out, err)
	}
	diff := exec.CommandContext(ctx, "git", "-C", repo, "diff", "--cached", "--quiet")
	if err := diff.Run(); err == nil {
		return ErrNothingToCommit
	}
	commit := exec.CommandContext(ctx, "git", "-C", repo, "commit", "-m", msg)
	if out, err := commit.CombinedOutput(); err != nil {
		return fmt.Errorf("git commit: %s: %w", out, err)
	}
	push := exec.CommandContext(ctx, "git", "-C", repo, "push", "origin", "HEAD")
	if out, err := push.CombinedOutput(); err != nil {
		return fmt.Errorf("git push: %s: %w", out, err)
	}
	return nil
}
