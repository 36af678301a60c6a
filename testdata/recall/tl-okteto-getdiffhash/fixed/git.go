// Recall case tl-okteto-getdiffhash
// Source: github.com/okteto/okteto commit b3323dd459a9c093559ef835c31db8db00d0a3d9 (pkg/repository/git.go)
// Link: https://github.com/okteto/okteto/commit/b3323dd459a9c093559ef835c31db8db00d0a3d9
// Bug: in gitRepoController.GetDiffHash the timer goroutine sends errTimeoutExceeded on the unbuffered diffCh/untrackedFilesCh after gitOperationTimeout, but GetDiffHash has usually returned already (normal completion or early error return), so the goroutine blocks forever on a send nobody reads
// Fix: diffCh and untrackedFilesCh get a buffer of 2, so every send completes and the goroutines exit
// Rule: timeoutleak
package repository

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"
)

const (
	gitOperationTimeout    = 5 * time.Second
	limitDiffSizeToLogInMB = 1024 * 1024
)

var (
	errTimeoutExceeded = errors.New("timeout exceeded")
)

type gitRepoController struct {
	path       string
	repoGetter gitRepositoryGetter
}

type diffResponse struct {
	err  error
	diff string
}

type untrackedFilesResponse struct {
	err                error
	untrackedFilesDiff string
}

func (r gitRepoController) GetDiffHash(contextDir string) (string, error) {
	// We use context.TODO() in a few places to call GetDiffHash, so let's make sure
	// we set proper internal timeouts to not leak goroutines
	ctx, cancel := context.WithCancel(context.TODO())
	defer cancel()

	timeoutCh := make(chan struct{})
	diffCh := make(chan diffResponse, 2)
	untrackedFilesCh := make(chan untrackedFilesResponse, 2)

	repo, err := r.repoGetter.get(r.path)
	if err != nil {
		return "", fmt.Errorf("failed to analyze git repo: %w", err)
	}

	// go func that cancels the context after the timeout
	go func() {
		time.Sleep(gitOperationTimeout)
		close(timeoutCh)
		cancel()
		diffCh <- diffResponse{
			diff: "",
			err:  errTimeoutExceeded,
		}
		untrackedFilesCh <- untrackedFilesResponse{
			untrackedFilesDiff: "",
			err:                errTimeoutExceeded,
		}
	}()

	// go func that calculates the diff using git diff
	go func() {
		diff, err := repo.GetDiff(ctx, contextDir, NewLocalGit("git", &LocalExec{}))
		select {
		case <-timeoutCh:
			log.Print("Timeout exceeded calculating git diff: assuming dirty commit")
		case diffCh <- diffResponse{
			diff: diff,
			err:  err,
		}:
		}
	}()

	// go func that calculates the diff for the untracked files
	go func() {
		untrackedFiles, err := repo.calculateUntrackedFiles(ctx, contextDir)
		if err != nil {
			select {
			case <-timeoutCh:
				log.Print("Timeout exceeded calculating git untracked files: assuming dirty commit")
			case untrackedFilesCh <- untrackedFilesResponse{
				untrackedFilesDiff: "",
				err:                err,
			}:
			}
			return
		}

		untrackedFilesContent, err := r.getUntrackedContent(ctx, untrackedFiles)
		select {
		case <-timeoutCh:
			log.Print("Timeout exceeded calculating git untracked files: assuming dirty commit")
		case untrackedFilesCh <- untrackedFilesResponse{
			untrackedFilesDiff: untrackedFilesContent,
			err:                err,
		}:
		}
	}()

	diffResponse := <-diffCh
	if diffResponse.err != nil {
		return "", diffResponse.err
	}

	untrackedFilesResponse := <-untrackedFilesCh
	if untrackedFilesResponse.err != nil {
		return "", untrackedFilesResponse.err
	}

	hashFrom := fmt.Sprintf("%s-%s", diffResponse.diff, untrackedFilesResponse.untrackedFilesDiff)
	logDiff := hashFrom
	if len(hashFrom) > limitDiffSizeToLogInMB {
		logDiff = hashFrom[:limitDiffSizeToLogInMB]
	}

	// As the diff might be huge, setting an arbitrary limit in the chars we print in the logs, if not, it could cause performance issues
	log.Printf("hashing diff: %v", logDiff)
	diffHash := sha256.Sum256([]byte(hashFrom))
	return hex.EncodeToString(diffHash[:]), nil
}

func (r gitRepoController) getUntrackedContent(ctx context.Context, files []string) (string, error) {
	totalContent := ""
	for _, file := range files {
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		default:
			absPath := filepath.Join(r.path, file)
			content, err := os.ReadFile(absPath)
			if err != nil {
				return "", fmt.Errorf("failed to read file '%s': %w", absPath, err)
			}
			totalContent += fmt.Sprintf("%s:%s\n", file, content)
		}
	}
	return totalContent, nil
}

type gitRepositoryGetter struct{}

func (gitRepositoryGetter) get(path string) (oktetoGitRepository, error) {
	if _, err := os.Stat(filepath.Join(path, ".git")); err != nil {
		return oktetoGitRepository{}, fmt.Errorf("failed to find git repo at %s: %w", path, err)
	}
	return oktetoGitRepository{
		root: path,
	}, nil
}

type oktetoGitRepository struct {
	root string
}

func (ogr oktetoGitRepository) calculateUntrackedFiles(ctx context.Context, contextDir string) ([]string, error) {
	return NewLocalGit("git", &LocalExec{}).ListUntrackedFiles(ctx, ogr.root, contextDir, 0)
}

func (ogr oktetoGitRepository) GetDiff(ctx context.Context, dirpath string, localGit *LocalGit) (string, error) {
	diff, err := localGit.Diff(ctx, ogr.root, dirpath, 0)
	if err != nil {
		return "", fmt.Errorf("failed to get git status: %w", err)
	}

	return diff, nil
}
