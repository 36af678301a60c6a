// Recall case cc-gitspice-splitrollback
// Source: github.com/abhinav/git-spice commit e9d7c60fec5387ff9181e1fdca89e150d6b329e0 (commit_split.go)
// Link: https://github.com/abhinav/git-spice/commit/e9d7c60fec5387ff9181e1fdca89e150d6b329e0
// Bug: When the user presses Ctrl-C, main cancels ctx and the split fails; the deferred rollback then runs "git reset" with that same already-cancelled ctx, so the rollback itself fails with "context canceled".
// Fix: The deferred rollback uses context.WithoutCancel(ctx) for the reset.
// Rule: cleanupctx
package gitspice

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strings"
)

// ResetMode specifies the reset mode.
type ResetMode int

const (
	ResetModeUnset ResetMode = iota
	ResetMixed
)

// ResetOptions configures the behavior of Reset.
type ResetOptions struct {
	Mode  ResetMode
	Patch bool
	Paths []string
}

// CommitRequest is a request to commit changes.
type CommitRequest struct {
	Message      string
	ReuseMessage string
}

// Repository is a git repository driven through the git CLI.
type Repository struct {
	root string
}

func (r *Repository) gitCmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.root
	cmd.Stderr = os.Stderr
	return cmd
}

// Head returns the commit hash of HEAD.
func (r *Repository) Head(ctx context.Context) (string, error) {
	out, err := r.gitCmd(ctx, "rev-parse", "HEAD").Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// PeelToCommit resolves a revision to a commit hash.
func (r *Repository) PeelToCommit(ctx context.Context, rev string) (string, error) {
	out, err := r.gitCmd(ctx, "rev-parse", "--verify", rev+"^{commit}").Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Reset resets the index to the specified commit.
func (r *Repository) Reset(ctx context.Context, commit string, opts ResetOptions) error {
	args := []string{"reset"}
	if opts.Patch {
		args = append(args, "--patch")
	}
	if opts.Mode == ResetMixed {
		args = append(args, "--mixed")
	}
	args = append(args, commit)
	if len(opts.Paths) > 0 {
		args = append(args, "--")
		args = append(args, opts.Paths...)
	}
	cmd := r.gitCmd(ctx, args...)
	if opts.Patch {
		cmd.Stdin = os.Stdin
		cmd.Stdout = os.Stdout
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git reset: %w", err)
	}
	return nil
}

// Commit runs git commit.
func (r *Repository) Commit(ctx context.Context, req CommitRequest) error {
	args := []string{"commit"}
	if req.Message != "" {
		args = append(args, "-m", req.Message)
	}
	if req.ReuseMessage != "" {
		args = append(args, "-C", req.ReuseMessage)
	}
	cmd := r.gitCmd(ctx, args...)
	cmd.Stdin = os.Stdin
	cmd.Stdout = os.Stdout
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git commit: %w", err)
	}
	return nil
}

type commitSplitCmd struct {
	Message string
}

func (cmd *commitSplitCmd) Run(ctx context.Context, log *log.Logger) (err error) {
	repo := &Repository{root: "."}

	head, err := repo.Head(ctx)
	if err != nil {
		return fmt.Errorf("get HEAD: %w", err)
	}

	parent, err := repo.PeelToCommit(ctx, head+"^")
	if err != nil {
		return fmt.Errorf("get HEAD^: %w", err)
	}

	if err := repo.Reset(ctx, parent, ResetOptions{
		Mode: ResetMixed, // don't touch the working tree
	}); err != nil {
		return fmt.Errorf("reset to HEAD^: %w", err)
	}

	defer func() {
		if err != nil {
			// The operation may have failed
			// because the user pressed Ctrl-C.
			// That would invalidate the current context.
			// Create an uncanceled context to perform the rollback.
			ctx := context.WithoutCancel(ctx)

			log.Printf("rolling back to previous commit %v", head)
			err = errors.Join(err, repo.Reset(ctx, head, ResetOptions{
				Mode: ResetMixed,
			}))
		}
	}()

	log.Printf("Select hunks to extract into a new commit")
	if err := repo.Reset(ctx, head, ResetOptions{Patch: true}); err != nil {
		return fmt.Errorf("select hunks: %w", err)
	}

	if err := repo.Commit(ctx, CommitRequest{Message: cmd.Message}); err != nil {
		return fmt.Errorf("commit: %w", err)
	}

	if err := repo.Reset(ctx, head, ResetOptions{
		Paths: []string{"."}, // reset index to remaining changes
	}); err != nil {
		return fmt.Errorf("select hunks: %w", err)
	}

	if err := repo.Commit(ctx, CommitRequest{ReuseMessage: head}); err != nil {
		return fmt.Errorf("commit: %w", err)
	}

	return nil
}
