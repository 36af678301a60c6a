// Recall case cc-woodpecker-destroyworkflow
// Source: github.com/woodpecker-ci/woodpecker commit 30cd8001108fd44abe41cf1f5f5588e9dbec7e51 (pipeline/pipeline.go)
// Link: https://github.com/woodpecker-ci/woodpecker/commit/30cd8001108fd44abe41cf1f5f5588e9dbec7e51
// Bug: Runtime.Run defers engine.DestroyWorkflow(runnerCtx, ...), but runnerCtx is the agent context that SIGTERM cancels (the same event that stops the workflow), so the container/volume/network cleanup runs with an already-cancelled context and fails.
// Fix: the deferred cleanup switches to GetShutdownCtx() (a fresh context.WithTimeout(context.Background(), 5s)) when runnerCtx.Err() != nil.
// Rule: cleanupctx
package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Config is the reduced pipeline/backend/types.Config.
type Config struct {
	Stages []*Stage
}

// Stage is a set of steps run in parallel.
type Stage struct {
	Steps []*Step
}

// Step is the reduced pipeline/backend/types.Step.
type Step struct {
	Name  string
	UUID  string
	Image string
}

// Backend is the reduced pipeline/backend/types.Backend.
type Backend interface {
	SetupWorkflow(ctx context.Context, conf *Config, taskUUID string) error
	StartStep(ctx context.Context, step *Step, taskUUID string) error
	WaitStep(ctx context.Context, step *Step, taskUUID string) (int, error)
	DestroyWorkflow(ctx context.Context, conf *Config, taskUUID string) error
}

// docker stands in for the docker backend: every engine call is a Docker
// Engine API request bound to the given ctx, as the docker SDK client does.
type docker struct {
	client *http.Client
	host   string // e.g. http://docker-socket-proxy:2375
}

var _ Backend = (*docker)(nil)

func (e *docker) call(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.host+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("docker %s %s: %s: %s", method, path, resp.Status, msg)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

func (e *docker) SetupWorkflow(ctx context.Context, conf *Config, taskUUID string) error {
	if err := e.call(ctx, http.MethodPost, "/volumes/create", map[string]string{"Name": taskUUID + "_default"}, nil); err != nil {
		return err
	}
	return e.call(ctx, http.MethodPost, "/networks/create", map[string]string{"Name": taskUUID + "_default"}, nil)
}

func (e *docker) StartStep(ctx context.Context, step *Step, taskUUID string) error {
	name := url.PathEscape(taskUUID + "_" + step.UUID)
	if err := e.call(ctx, http.MethodPost, "/containers/create?name="+name, map[string]string{"Image": step.Image}, nil); err != nil {
		return err
	}
	return e.call(ctx, http.MethodPost, "/containers/"+name+"/start", nil, nil)
}

func (e *docker) WaitStep(ctx context.Context, step *Step, taskUUID string) (int, error) {
	name := url.PathEscape(taskUUID + "_" + step.UUID)
	var res struct {
		StatusCode int
	}
	if err := e.call(ctx, http.MethodPost, "/containers/"+name+"/wait", nil, &res); err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

func (e *docker) DestroyWorkflow(ctx context.Context, conf *Config, taskUUID string) error {
	var errs []error
	for _, stage := range conf.Stages {
		for _, step := range stage.Steps {
			name := url.PathEscape(taskUUID + "_" + step.UUID)
			if err := e.call(ctx, http.MethodPost, "/containers/"+name+"/kill", nil, nil); err != nil {
				errs = append(errs, err)
			}
			if err := e.call(ctx, http.MethodDelete, "/containers/"+name+"?force=1&v=1", nil, nil); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := e.call(ctx, http.MethodDelete, "/volumes/"+url.PathEscape(taskUUID+"_default")+"?force=1", nil, nil); err != nil {
		errs = append(errs, err)
	}
	if err := e.call(ctx, http.MethodDelete, "/networks/"+url.PathEscape(taskUUID+"_default"), nil, nil); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
