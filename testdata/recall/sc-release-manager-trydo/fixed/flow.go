// Recall case sc-release-manager-trydo
// Source: github.com/lunarway/release-manager commit c6de4b4ae29f71690e2b4e88634acf982d7d6046 (internal/flow/flow.go, internal/flow/release.go)
// Link: https://github.com/lunarway/release-manager/commit/c6de4b4ae29f71690e2b4e88634acf982d7d6046
// Bug: try.Do keeps calling f up to max attempts even after the caller's context is cancelled, so a release whose request was cancelled keeps retrying the clone/commit/push and the cancellation is reported as ordinary attempt failures.
// Fix: try.Do takes the ctx and returns ctx.Err() (joined with earlier errors) before starting another attempt once the context is done.
// Rule: swallowcancel
package try

import (
	"context"
	"fmt"
	"log"
	"os"
	"path"
)

// Service mirrors release-manager's flow.Service.
type Service struct {
	Git        *GitService
	MaxRetries int
}

// retry tries the function f until max attempts is reached
// If f returns a true bool or a nil error retries are stopped and the error is
// returned.
func (s *Service) retry(ctx context.Context, f func(int) (bool, error)) error {
	return Do(ctx, s.MaxRetries, f)
}

// ReleaseBranch releases the latest artifact from a branch of a specific
// service to environment env.
func (s *Service) ReleaseBranch(ctx context.Context, environment, service, branch string) (string, error) {
	var result string
	err := s.retry(ctx, func(int) (bool, error) {
		sourceConfigRepoPath, close, err := TempDir("k8s-config-release-branch")
		if err != nil {
			return true, err
		}
		defer close()
		repo, err := s.Git.Clone(ctx, sourceConfigRepoPath)
		if err != nil {
			return true, fmt.Errorf("clone into '%s': %w", sourceConfigRepoPath, err)
		}
		destinationPath := path.Join(repo, environment, "releases", service)
		err = os.MkdirAll(destinationPath, os.ModePerm)
		if err != nil {
			return true, fmt.Errorf("create destination dir '%s': %w", destinationPath, err)
		}
		err = os.WriteFile(path.Join(destinationPath, "artifact.json"), []byte(branch), 0o644)
		if err != nil {
			return true, err
		}
		releaseMessage := fmt.Sprintf("[%s/%s] release %s", environment, service, branch)
		err = s.Git.Commit(ctx, repo, path.Join(environment, "releases", service), releaseMessage)
		if err != nil {
			if err == ErrNothingToCommit {
				return true, fmt.Errorf("commit changes from path '%s': %w", destinationPath, err)
			}
			// we can see races here where other changes are committed to the master repo
			// after we cloned. Because of this we retry on any error.
			return false, fmt.Errorf("commit changes from path '%s': %w", destinationPath, err)
		}
		result = branch
		log.Printf("flow: ReleaseBranch: release committed: %s", releaseMessage)
		return true, nil
	})
	if err != nil {
		return "", err
	}
	return result, nil
}
