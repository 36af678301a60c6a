// Recall case cc-woodpecker-destroyworkflow
// Source: github.com/woodpecker-ci/woodpecker commit 30cd8001108fd44abe41cf1f5f5588e9dbec7e51 (pipeline/pipeline.go)
// Link: https://github.com/woodpecker-ci/woodpecker/commit/30cd8001108fd44abe41cf1f5f5588e9dbec7e51
// Bug: Runtime.Run defers engine.DestroyWorkflow(runnerCtx, ...), but runnerCtx is the agent context that SIGTERM cancels (the same event that stops the workflow), so the container/volume/network cleanup runs with an already-cancelled context and fails.
// Fix: the deferred cleanup switches to GetShutdownCtx() (a fresh context.WithTimeout(context.Background(), 5s)) when runnerCtx.Err() != nil.
// Rule: cleanupctx
package pipeline

import (
	"context"
	"errors"
	"log"
	"strings"
	"sync"
	"time"
)

// ErrCancel is used as error for canceled workflow
var ErrCancel = errors.New("canceled")

// Runtime is a configuration runtime.
type Runtime struct {
	err     error
	spec    *Config
	engine  Backend
	started int64

	ctx context.Context

	taskUUID string
}

// Option configures a runtime option.
type Option func(*Runtime)

// WithBackend returns an option configured with a runtime engine.
func WithBackend(backend Backend) Option {
	return func(r *Runtime) {
		r.engine = backend
	}
}

// WithContext returns an option configured with a context.
func WithContext(ctx context.Context) Option {
	return func(r *Runtime) {
		r.ctx = ctx
	}
}

// WithTaskUUID returns an option configured with a task UUID.
func WithTaskUUID(uuid string) Option {
	return func(r *Runtime) {
		r.taskUUID = uuid
	}
}

// New returns a new runtime using the specified runtime
// configuration and runtime engine.
func New(spec *Config, opts ...Option) *Runtime {
	r := new(Runtime)
	r.spec = spec
	for _, opts := range opts {
		opts(r)
	}
	return r
}

// Run starts the execution of a workflow and waits for it to complete.
func (r *Runtime) Run(runnerCtx context.Context) error {
	for stagePos, stage := range r.spec.Stages {
		stepNames := []string{}
		for _, step := range stage.Steps {
			stepNames = append(stepNames, step.Name)
		}
		log.Printf("stage %d: %s", stagePos, strings.Join(stepNames, ","))
	}

	defer func() {
		if err := r.engine.DestroyWorkflow(runnerCtx, r.spec, r.taskUUID); err != nil {
			log.Printf("could not destroy engine: %v", err)
		}
	}()

	r.started = time.Now().Unix()
	if err := r.engine.SetupWorkflow(runnerCtx, r.spec, r.taskUUID); err != nil {
		return err
	}

	for _, stage := range r.spec.Stages {
		select {
		case <-r.ctx.Done():
			return ErrCancel
		case err := <-r.execAll(stage.Steps):
			if err != nil {
				r.err = err
			}
		}
	}

	return r.err
}

// Executes a set of parallel steps.
func (r *Runtime) execAll(steps []*Step) <-chan error {
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	done := make(chan error, 1)

	for _, step := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.exec(step); err != nil {
				once.Do(func() { firstErr = err })
			}
		}()
	}

	go func() {
		wg.Wait()
		done <- firstErr
		close(done)
	}()
	return done
}

// Executes the step and returns the error.
func (r *Runtime) exec(step *Step) error {
	if err := r.engine.StartStep(r.ctx, step, r.taskUUID); err != nil {
		return err
	}
	exitCode, err := r.engine.WaitStep(r.ctx, step, r.taskUUID)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return ErrCancel
		}
		return err
	}
	if exitCode != 0 {
		return errors.New("step " + step.Name + " failed")
	}
	return nil
}
