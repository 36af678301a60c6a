// Recall case sc-pond-taskgroup-wait
// Source: github.com/alitto/pond commit e4395b22aca136c288529b07c934ab03eb28fa81 (group.go)
// Link: https://github.com/alitto/pond/commit/e4395b22aca136c288529b07c934ab03eb28fa81
// Bug: TaskGroupWithContext.Wait returns as soon as the group's context is done, but in that branch it only returns g.err, which is nil when no task failed, so a cancelled/expired context is reported as success.
// Fix: on <-g.ctx.Done() Wait records g.ctx.Err() as the group error (setError) and returns it.
// Rule: swallowcancel
package pond

import (
	"context"
	"sync"
)

// WorkerPool is a minimal stand-in for pond's worker pool.
type WorkerPool struct{}

// Submit sends a task to the pool to be executed.
func (p *WorkerPool) Submit(task func()) {
	go task()
}

// GroupContext creates a new task group and an associated Context derived from ctx.
func (p *WorkerPool) GroupContext(ctx context.Context) (*TaskGroupWithContext, context.Context) {

	if ctx == nil {
		panic("a non-nil context needs to be specified when using GroupContext")
	}

	ctx, cancel := context.WithCancel(ctx)
	return &TaskGroupWithContext{
		TaskGroup: TaskGroup{
			pool: p,
		},
		ctx:    ctx,
		cancel: cancel,
	}, ctx
}

// TaskGroup represents a group of related tasks
type TaskGroup struct {
	pool      *WorkerPool
	waitGroup sync.WaitGroup
}

// TaskGroupWithContext represents a group of related tasks associated to a context
type TaskGroupWithContext struct {
	TaskGroup
	ctx    context.Context
	cancel context.CancelFunc

	errSync struct {
		once  sync.Once
		guard sync.RWMutex
	}
	err error
}

// Submit adds a task to this group and sends it to the worker pool to be executed
func (g *TaskGroupWithContext) Submit(task func() error) {
	g.waitGroup.Add(1)

	g.pool.Submit(func() {
		defer g.waitGroup.Done()

		// If context has already been cancelled, skip task execution
		if g.ctx != nil {
			select {
			case <-g.ctx.Done():
				return
			default:
			}
		}

		// don't actually ignore errors
		err := task()
		if err != nil {
			g.errSync.once.Do(func() {
				g.errSync.guard.Lock()
				g.err = err
				g.errSync.guard.Unlock()

				if g.cancel != nil {
					g.cancel()
				}
			})
		}
	})
}

// Wait blocks until either all the tasks submitted to this group have completed,
// one of them returned a non-nil error or the context associated to this group
// was canceled.
func (g *TaskGroupWithContext) Wait() error {

	// Wait for all tasks to complete
	tasksCompleted := make(chan struct{})
	go func() {
		g.waitGroup.Wait()
		tasksCompleted <- struct{}{}
	}()

	select {
	case <-tasksCompleted:
		// If context was provided, cancel it to signal all running tasks to stop
		g.cancel()
	case <-g.ctx.Done():
	}

	g.errSync.guard.RLock()
	err := g.err
	g.errSync.guard.RUnlock()

	return err
}
