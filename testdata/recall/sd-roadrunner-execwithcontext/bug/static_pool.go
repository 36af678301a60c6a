// Recall case sd-roadrunner-execwithcontext
// Source: github.com/roadrunner-server/roadrunner commit fd1e98bc6339abfa66523bf9d2208d00df8ee4bc (pkg/pool/static_pool.go)
// Link: https://github.com/roadrunner-server/roadrunner/commit/fd1e98bc6339abfa66523bf9d2208d00df8ee4bc
// Bug: StaticPool.ExecWithContext waits for a free worker under context.WithTimeout(context.Background(), AllocateTimeout), a fresh budget that ignores the caller's ctx, so a cancelled or nearly expired request still blocks up to AllocateTimeout in getWorker.
// Fix: the allocate timeout is derived from the caller's ctx: context.WithTimeout(ctx, sp.cfg.AllocateTimeout).
// Rule: sharedeadline
package pool

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"
)

// Config of the pool.
type Config struct {
	NumWorkers      int64
	MaxJobs         uint64
	AllocateTimeout time.Duration
	DestroyTimeout  time.Duration
}

// ErrorEncoder encode error or make a decision based on the error type
type ErrorEncoder func(err error, w *syncWorker) (Payload, error)

// StaticPool controls worker creation, destruction and task routing. Pool uses fixed amount of stack.
type StaticPool struct {
	cfg Config

	// worker command creator
	cmd func() *exec.Cmd

	// manages worker states and TTLs
	ww *workerWatcher

	errEncoder ErrorEncoder
}

// NewPool creates new worker pool and task multiplexer.
func NewPool(ctx context.Context, cmd func() *exec.Cmd, cfg Config) (*StaticPool, error) {
	p := &StaticPool{cfg: cfg, cmd: cmd}
	p.ww = newWorkerWatcher(func() (*syncWorker, error) {
		ctx, cancel := context.WithTimeout(ctx, cfg.AllocateTimeout)
		defer cancel()
		return spawnWorker(ctx, cmd())
	})
	for i := int64(0); i < cfg.NumWorkers; i++ {
		if err := p.ww.AllocateNew(); err != nil {
			return nil, err
		}
	}
	p.errEncoder = defaultErrEncoder(p)
	return p, nil
}

func (sp *StaticPool) ExecWithContext(ctx context.Context, rqs Payload) (Payload, error) {
	const op = "exec with context"
	ctxGetFree, cancel := context.WithTimeout(context.Background(), sp.cfg.AllocateTimeout)
	defer cancel()
	w, err := sp.getWorker(ctxGetFree, op)
	if err != nil {
		return Payload{}, fmt.Errorf("%s: %w", op, err)
	}

	rsp, err := w.ExecWithTimeout(ctx, rqs)
	if err != nil {
		return sp.errEncoder(err, w)
	}

	if sp.cfg.MaxJobs != 0 && w.numExecs >= sp.cfg.MaxJobs {
		w.Stop()
		err = sp.ww.AllocateNew()
		if err != nil {
			return Payload{}, fmt.Errorf("%s: %w", op, err)
		}
	} else {
		sp.ww.PushWorker(w)
	}

	return rsp, nil
}

func (sp *StaticPool) getWorker(ctxGetFree context.Context, op string) (*syncWorker, error) {
	// GetFreeWorker function consumes context with timeout
	w, err := sp.ww.GetFreeWorker(ctxGetFree)
	if err != nil {
		// if the error is of kind NoFreeWorkers, it means, that we can't get worker from the stack during the allocate timeout
		if errors.Is(err, ErrNoFreeWorkers) {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		// else if err not nil - return error
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return w, nil
}

func defaultErrEncoder(sp *StaticPool) ErrorEncoder {
	return func(err error, w *syncWorker) (Payload, error) {
		w.Stop()
		if aerr := sp.ww.AllocateNew(); aerr != nil {
			return Payload{}, errors.Join(err, aerr)
		}
		return Payload{}, err
	}
}
