// Recall case cc-act-autoremove-canceled
// Source: github.com/nektos/act commit 4ef50eeae76f76af3ab0c8c7377c9388d28a0c38 (pkg/runner/runner.go)
// Link: https://github.com/nektos/act/commit/4ef50eeae76f76af3ab0c8c7377c9388d28a0c38
// Bug: after Ctrl+C cancels the run ctx, NewPlanExecutor's Finally hook still calls rc.stopJobContainer()(ctx) with that already-cancelled ctx, so containerReference.remove's ContainerRemove fails immediately and the job container is left behind.
// Fix: if ctx.Err() == context.Canceled the cleanup runs with ctx, cancel = context.WithTimeout(context.Background(), 5*time.Minute).
// Rule: cleanupctx
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"time"
)

// ---------------- main.go ----------------

func main() {
	ctx := context.Background()
	ctx, cancel := context.WithCancel(ctx)

	// trap Ctrl+C and call cancel on the context
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	defer func() {
		signal.Stop(c)
		cancel()
	}()
	go func() {
		select {
		case <-c:
			cancel()
		case <-ctx.Done():
		}
	}()

	// run the command
	runner := &runnerImpl{config: &Config{AutoRemove: true}}
	plan := &Plan{Stages: []*Stage{{Runs: []*Run{{JobID: "build"}}}}}
	if err := runner.NewPlanExecutor(plan)(ctx); err != nil {
		log.Fatal(err)
	}
}

// ---------------- pkg/common/executor.go ----------------

// Executor define contract for the steps of a workflow
type Executor func(ctx context.Context) error

// NewPipelineExecutor creates a new executor from a series of other executors
func NewPipelineExecutor(executors ...Executor) Executor {
	if len(executors) == 0 {
		return func(ctx context.Context) error {
			return nil
		}
	}
	var rtn Executor
	for _, executor := range executors {
		if rtn == nil {
			rtn = executor
		} else {
			rtn = rtn.Then(executor)
		}
	}
	return rtn
}

// Then runs another executor if this executor succeeds
func (e Executor) Then(then Executor) Executor {
	return func(ctx context.Context) error {
		err := e(ctx)
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return then(ctx)
	}
}

// Finally adds an executor to run after other executor
func (e Executor) Finally(finally Executor) Executor {
	return func(ctx context.Context) error {
		err := e(ctx)
		err2 := finally(ctx)
		if err2 != nil {
			return fmt.Errorf("Error occurred running finally: %w (original error: %w)", err2, err)
		}
		return err
	}
}

// ---------------- pkg/model (reduced) ----------------

type Plan struct{ Stages []*Stage }
type Stage struct{ Runs []*Run }
type Run struct{ JobID string }

// ---------------- pkg/runner/runner.go ----------------

type Config struct {
	AutoRemove      bool
	ReuseContainers bool
}

type runnerImpl struct {
	config *Config
}

// NewPlanExecutor ...
func (runner *runnerImpl) NewPlanExecutor(plan *Plan) Executor {
	stagePipeline := make([]Executor, 0)
	for i := range plan.Stages {
		s := i
		stage := plan.Stages[i]
		stagePipeline = append(stagePipeline, func(ctx context.Context) error {
			pipeline := make([]Executor, 0)
			for r, run := range stage.Runs {
				rc := runner.newRunContext(run)
				pipeline = append(pipeline, func(ctx context.Context) error {
					return rc.Executor().Finally(func(ctx context.Context) error {
						isLastRunningContainer := func(currentStage int, currentRun int) bool {
							return currentStage == len(plan.Stages)-1 && currentRun == len(stage.Runs)-1
						}

						if runner.config.AutoRemove && isLastRunningContainer(s, r) {
							log.Printf("Cleaning up container for job %s", rc.JobName)
							if err := rc.stopJobContainer()(ctx); err != nil {
								log.Printf("Error while cleaning container: %v", err)
							}
						}

						return nil
					})(ctx)
				})
			}
			return NewPipelineExecutor(pipeline...)(ctx)
		})
	}

	return NewPipelineExecutor(stagePipeline...)
}

func (runner *runnerImpl) newRunContext(run *Run) *RunContext {
	return &RunContext{
		Config:  runner.config,
		JobName: run.JobID,
		JobContainer: &containerReference{
			input: &NewContainerInput{Name: "act-" + run.JobID},
		},
	}
}

// ---------------- pkg/runner/run_context.go ----------------

type RunContext struct {
	Config       *Config
	JobName      string
	JobContainer *containerReference
	Steps        []Executor
}

// Executor starts the job container and runs the job's steps (step execution itself cut).
func (rc *RunContext) Executor() Executor {
	steps := append([]Executor{rc.startJobContainer()}, rc.Steps...)
	return NewPipelineExecutor(steps...)
}

func (rc *RunContext) startJobContainer() Executor {
	return func(ctx context.Context) error {
		return rc.JobContainer.Create()(ctx)
	}
}

func (rc *RunContext) stopJobContainer() Executor {
	return func(ctx context.Context) error {
		if rc.JobContainer != nil && !rc.Config.ReuseContainers {
			return rc.JobContainer.Remove()(ctx)
		}
		return nil
	}
}

// ---------------- pkg/container/docker_run.go ----------------

type NewContainerInput struct {
	Name string
}

type containerReference struct {
	cli   *Client
	id    string
	input *NewContainerInput
}

func (cr *containerReference) Remove() Executor {
	return NewPipelineExecutor(
		cr.connect(),
		cr.find(),
	).Finally(
		cr.remove(),
	)
}

func (cr *containerReference) Create() Executor {
	return NewPipelineExecutor(
		cr.connect(),
		cr.find(),
		cr.create(),
	)
}

func (cr *containerReference) create() Executor {
	return func(ctx context.Context) error {
		if cr.id != "" {
			return nil
		}
		id, err := cr.cli.ContainerCreate(ctx, cr.input.Name)
		if err != nil {
			return err
		}
		cr.id = id
		return nil
	}
}

func (cr *containerReference) connect() Executor {
	return func(ctx context.Context) error {
		if cr.cli != nil {
			return nil
		}
		cli, err := GetDockerClient(ctx)
		if err != nil {
			return err
		}
		cr.cli = cli
		return nil
	}
}

func (cr *containerReference) find() Executor {
	return func(ctx context.Context) error {
		if cr.id != "" {
			return nil
		}
		containers, err := cr.cli.ContainerList(ctx)
		if err != nil {
			return err
		}

		for _, c := range containers {
			for _, name := range c.Names {
				if name[1:] == cr.input.Name {
					cr.id = c.ID
					return nil
				}
			}
		}

		cr.id = ""
		return nil
	}
}

func (cr *containerReference) remove() Executor {
	return func(ctx context.Context) error {
		if cr.id == "" {
			return nil
		}

		err := cr.cli.ContainerRemove(ctx, cr.id, ContainerRemoveOptions{
			RemoveVolumes: true,
			Force:         true,
		})
		if err != nil {
			log.Printf("error removing container: %v", err)
		}

		log.Printf("Removed container: %v", cr.id)
		cr.id = ""
		return nil
	}
}

// GetDockerClient mirrors client.NewClientWithOpts(client.FromEnv): an HTTP
// client talking to the daemon's unix socket.
func GetDockerClient(_ context.Context) (*Client, error) {
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", "/var/run/docker.sock")
		},
	}
	return &Client{http: &http.Client{Transport: transport}}, nil
}

// ---------------- stub of github.com/docker/docker/client ----------------

// Client mirrors the docker API client: every call is an HTTP request made
// with the caller's ctx.
type Client struct {
	http *http.Client
}

type ContainerRemoveOptions struct {
	RemoveVolumes bool
	Force         bool
}

type Container struct {
	ID    string   `json:"Id"`
	Names []string `json:"Names"`
}

func (cli *Client) do(ctx context.Context, method, path string, query url.Values) (*http.Response, error) {
	u := url.URL{Scheme: "http", Host: "docker", Path: path, RawQuery: query.Encode()}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := cli.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		resp.Body.Close()
		return nil, fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return resp, nil
}

// ContainerList mirrors client.ContainerList(ctx, types.ContainerListOptions{All: true}).
func (cli *Client) ContainerList(ctx context.Context) ([]Container, error) {
	resp, err := cli.do(ctx, http.MethodGet, "/containers/json", url.Values{"all": []string{"1"}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var containers []Container
	err = json.NewDecoder(resp.Body).Decode(&containers)
	return containers, err
}

// ContainerCreate mirrors client.ContainerCreate (config cut).
func (cli *Client) ContainerCreate(ctx context.Context, name string) (string, error) {
	resp, err := cli.do(ctx, http.MethodPost, "/containers/create", url.Values{"name": []string{name}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var created struct {
		ID string `json:"Id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&created)
	return created.ID, err
}

// ContainerRemove mirrors client.ContainerRemove.
func (cli *Client) ContainerRemove(ctx context.Context, containerID string, options ContainerRemoveOptions) error {
	query := url.Values{}
	if options.RemoveVolumes {
		query.Set("v", "1")
	}
	if options.Force {
		query.Set("force", "1")
	}
	resp, err := cli.do(ctx, http.MethodDelete, "/containers/"+containerID, query)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
