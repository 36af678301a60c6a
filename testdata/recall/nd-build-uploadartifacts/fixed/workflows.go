// Recall case nd-build-uploadartifacts
// Source: github.com/golang/build commit c3d2f80805dfa51c2e9c2eee95684edc7dcf7b4a (internal/relui/workflows.go)
// Link: https://github.com/golang/build/commit/c3d2f80805dfa51c2e9c2eee95684edc7dcf7b4a
// Bug: uploadArtifacts has a cancellable TaskContext but polls the download server with http.Head (http.DefaultClient, no context, no timeout), so a hung HEAD request blocks the release workflow forever.
// Fix: each HEAD is issued through ctxhttp.Head with a 5-second context derived from the task context.
// Rule: nodeadline
package relui

import (
	"context"
	"io"
	"io/fs"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// TaskContext stands in for workflow.TaskContext: a context.Context with logging.
type TaskContext struct {
	context.Context
	Logger *log.Logger
}

func (c *TaskContext) Printf(format string, v ...any) { c.Logger.Printf(format, v...) }

type artifact struct {
	SignedPath string
	Filename   string
}

type BuildReleaseTasks struct {
	StagingDir  string
	ServingDir  string
	DownloadURL string
}

const uploadPollDuration = 30 * time.Second

// ctxhttpHead stands in for golang.org/x/net/context/ctxhttp.Head.
func ctxhttpHead(ctx context.Context, client *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		select {
		case <-ctx.Done():
			err = ctx.Err()
		default:
		}
	}
	return resp, err
}

func (tasks *BuildReleaseTasks) uploadArtifacts(ctx *TaskContext, artifacts []artifact) error {
	stagingFS := os.DirFS(tasks.StagingDir)

	todo := map[artifact]bool{}
	for _, a := range artifacts {
		if err := uploadArtifact(stagingFS, tasks.ServingDir, a); err != nil {
			return err
		}
		todo[a] = true
	}

	for {
		for _, a := range artifacts {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			resp, err := ctxhttpHead(ctx, http.DefaultClient, tasks.DownloadURL+"/"+a.Filename)
			if err != nil && err != context.DeadlineExceeded {
				return err
			}
			resp.Body.Close()
			cancel()
			if resp.StatusCode == http.StatusOK {
				delete(todo, a)
			}
		}

		if len(todo) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(uploadPollDuration):
			ctx.Printf("Still waiting for %v artifacts to be published", len(todo))
		}
	}
}

func uploadArtifact(stagingFS fs.FS, servingDir string, a artifact) error {
	in, err := stagingFS.Open(a.SignedPath)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(filepath.Join(servingDir, a.Filename))
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
