// Recall case sd-roadrunner-execwithcontext
// Source: github.com/roadrunner-server/roadrunner commit fd1e98bc6339abfa66523bf9d2208d00df8ee4bc (pkg/pool/static_pool.go)
// Link: https://github.com/roadrunner-server/roadrunner/commit/fd1e98bc6339abfa66523bf9d2208d00df8ee4bc
// Bug: StaticPool.ExecWithContext waits for a free worker under context.WithTimeout(context.Background(), AllocateTimeout), a fresh budget that ignores the caller's ctx, so a cancelled or nearly expired request still blocks up to AllocateTimeout in getWorker.
// Fix: the allocate timeout is derived from the caller's ctx: context.WithTimeout(ctx, sp.cfg.AllocateTimeout).
// Rule: sharedeadline
package pool

// Stand-ins for roadrunner's worker watcher and sync worker: workers are real
// child processes (os/exec) talking line-based payloads over stdin/stdout.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
)

var ErrNoFreeWorkers = errors.New("no free workers in the stack, timeout exceed")

type Payload struct {
	Context []byte
	Body    []byte
}

type syncWorker struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	stdout   *bufio.Reader
	numExecs uint64
}

func spawnWorker(ctx context.Context, cmd *exec.Cmd) (*syncWorker, error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		cmd.Process.Kill()
		return nil, err
	}
	return &syncWorker{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout)}, nil
}

func (w *syncWorker) execPayload(p Payload) (Payload, error) {
	if _, err := fmt.Fprintf(w.stdin, "%s\n", p.Body); err != nil {
		return Payload{}, err
	}
	line, err := w.stdout.ReadBytes('\n')
	if err != nil {
		return Payload{}, err
	}
	return Payload{Body: line}, nil
}

type wexec struct {
	payload Payload
	err     error
}

// ExecWithTimeout executes the payload, killing the worker if ctx ends first.
func (w *syncWorker) ExecWithTimeout(ctx context.Context, p Payload) (Payload, error) {
	c := make(chan wexec, 1)
	go func() {
		rsp, err := w.execPayload(p)
		w.numExecs++
		c <- wexec{payload: rsp, err: err}
	}()

	select {
	case <-ctx.Done():
		w.Kill()
		return Payload{}, ctx.Err()
	case res := <-c:
		return res.payload, res.err
	}
}

func (w *syncWorker) Kill() { _ = w.cmd.Process.Kill() }

func (w *syncWorker) Stop() {
	w.stdin.Close()
	_ = w.cmd.Wait()
}

type workerWatcher struct {
	mu       sync.Mutex
	stack    []*syncWorker
	free     chan struct{}
	allocate func() (*syncWorker, error)
}

func newWorkerWatcher(allocate func() (*syncWorker, error)) *workerWatcher {
	return &workerWatcher{allocate: allocate, free: make(chan struct{}, 1)}
}

func (ww *workerWatcher) pop() *syncWorker {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	if len(ww.stack) == 0 {
		return nil
	}
	w := ww.stack[len(ww.stack)-1]
	ww.stack = ww.stack[:len(ww.stack)-1]
	return w
}

// GetFreeWorker waits for a free worker until ctx is done.
func (ww *workerWatcher) GetFreeWorker(ctx context.Context) (*syncWorker, error) {
	for {
		if w := ww.pop(); w != nil {
			return w, nil
		}
		select {
		case <-ww.free:
		case <-ctx.Done():
			return nil, fmt.Errorf("GetFreeWorker: %w", ErrNoFreeWorkers)
		}
	}
}

func (ww *workerWatcher) PushWorker(w *syncWorker) {
	ww.mu.Lock()
	ww.stack = append(ww.stack, w)
	ww.mu.Unlock()
	select {
	case ww.free <- struct{}{}:
	default:
	}
}

func (ww *workerWatcher) AllocateNew() error {
	w, err := ww.allocate()
	if err != nil {
		return err
	}
	ww.PushWorker(w)
	return nil
}
