// Recall case tl-controller-runtime-errchan
// Source: github.com/kubernetes-sigs/controller-runtime commit 98b5b2285d1b38eff457e126e3fcb41908dc7606 (pkg/manager/runnable_group.go)
// Link: https://github.com/kubernetes-sigs/controller-runtime/commit/98b5b2285d1b38eff457e126e3fcb41908dc7606
// Bug: when engageStopProcedure gives up after gracefulShutdownTimeout, the errChan drain goroutine exits; a runnable that returns an error later blocks forever on r.errChan <- err in runnableGroup.reconcile's goroutine.
// Fix: once the group is stopped, send the error with select/default and drop it if nobody is reading.
// Rule: timeoutleak
package manager

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"sync/atomic"
	"time"
)

var errRunnableGroupStopped = errors.New("can't accept new runnable as stop procedure is already engaged")

// Runnable allows a component to be started.
type Runnable interface {
	Start(context.Context) error
}

type runnableGroup struct {
	ctx    context.Context
	cancel context.CancelFunc

	startOnce sync.Once

	stop     sync.RWMutex
	stopOnce sync.Once
	stopped  bool

	errChan chan error
	ch      chan Runnable
	wg      *sync.WaitGroup
}

func newRunnableGroup(baseContext func() context.Context, errChan chan error) *runnableGroup {
	r := &runnableGroup{
		errChan: errChan,
		ch:      make(chan Runnable),
		wg:      new(sync.WaitGroup),
	}

	r.ctx, r.cancel = context.WithCancel(baseContext())
	return r
}

// Start starts the internal reconciler of the group.
func (r *runnableGroup) Start() {
	r.startOnce.Do(func() {
		go r.reconcile()
	})
}

func (r *runnableGroup) reconcile() {
	for runnable := range r.ch {
		{
			r.stop.RLock()
			if r.stopped {
				// Drop any runnables if we're stopped.
				r.errChan <- errRunnableGroupStopped
				r.stop.RUnlock()
				continue
			}
			r.wg.Add(1)
			r.stop.RUnlock()
		}

		// Start the runnable.
		go func(rn Runnable) {
			defer r.wg.Done()

			// Start the runnable.
			if err := rn.Start(r.ctx); err != nil {
				// Check if we're during the shutdown process.
				r.stop.RLock()
				isStopped := r.stopped
				r.stop.RUnlock()

				if isStopped {
					// During shutdown, try to send error first (error drain goroutine might still be running)
					// but drop if it would block to prevent goroutine leaks
					select {
					case r.errChan <- err:
						// Error sent successfully (error drain goroutine is still running)
					default:
						// Error drain goroutine has exited, drop error to prevent goroutine leak
						if !errors.Is(err, context.Canceled) {
							log.Printf("error dropped during shutdown to prevent goroutine leak: %v", err)
						}
					}
				} else {
					// During normal operation, always try to send errors (may block briefly)
					r.errChan <- err
				}
			}
		}(runnable)
	}
}

// Add enqueues a runnable; it must not be called after StopAndWait.
func (r *runnableGroup) Add(rn Runnable) error {
	r.stop.RLock()
	defer r.stop.RUnlock()
	if r.stopped {
		return errRunnableGroupStopped
	}
	r.ch <- rn
	return nil
}

// StopAndWait waits for all the runnables to finish before returning.
func (r *runnableGroup) StopAndWait(ctx context.Context) {
	r.stopOnce.Do(func() {
		defer func() {
			r.stop.Lock()
			close(r.ch)
			r.stop.Unlock()
		}()

		r.Start()
		r.stop.Lock()
		r.stopped = true
		r.stop.Unlock()

		// Cancel the internal channel.
		r.cancel()

		done := make(chan struct{})
		go func() {
			defer close(done)
			// Wait for all the runnables to finish.
			r.wg.Wait()
		}()

		select {
		case <-done:
			// We're done, exit.
		case <-ctx.Done():
			// Calling context has expired, exit.
		}
	})
}

type controllerManager struct {
	stopProcedureEngaged *int64

	errChan   chan error
	runnables *runnableGroup

	gracefulShutdownTimeout time.Duration
	shutdownCtx             context.Context

	internalCancel         context.CancelFunc
	internalProceduresStop chan struct{}
}

func New(gracefulShutdownTimeout time.Duration) *controllerManager {
	errChan := make(chan error, 1)
	return &controllerManager{
		stopProcedureEngaged:    new(int64),
		errChan:                 errChan,
		runnables:               newRunnableGroup(context.Background, errChan),
		gracefulShutdownTimeout: gracefulShutdownTimeout,
		internalProceduresStop:  make(chan struct{}),
	}
}

func (cm *controllerManager) Add(r Runnable) error {
	return cm.runnables.Add(r)
}

func (cm *controllerManager) Start(ctx context.Context) (err error) {
	var internalCtx context.Context
	internalCtx, cm.internalCancel = context.WithCancel(ctx)
	_ = internalCtx

	stopComplete := make(chan struct{})
	defer close(stopComplete)
	defer func() {
		stopErr := cm.engageStopProcedure(stopComplete)
		if stopErr != nil {
			if err != nil {
				err = errors.Join(err, stopErr)
			} else {
				err = stopErr
			}
		}
	}()

	cm.runnables.Start()

	select {
	case <-ctx.Done():
		// We are done
		return nil
	case err := <-cm.errChan:
		// Error starting or running a runnable
		return err
	}
}

// engageStopProcedure signals all runnables to stop, reads potential errors
// from the errChan and waits for them to end. It must not be called more than once.
func (cm *controllerManager) engageStopProcedure(stopComplete <-chan struct{}) error {
	if !atomic.CompareAndSwapInt64(cm.stopProcedureEngaged, 0, 1) {
		return errors.New("stop procedure already engaged")
	}

	var shutdownCancel context.CancelFunc
	if cm.gracefulShutdownTimeout < 0 {
		// We want to wait forever for the runnables to stop.
		cm.shutdownCtx, shutdownCancel = context.WithCancel(context.Background())
	} else {
		cm.shutdownCtx, shutdownCancel = context.WithTimeout(context.Background(), cm.gracefulShutdownTimeout)
	}
	defer shutdownCancel()

	// Start draining the errors before acquiring the lock to make sure we don't deadlock
	// if something that has the lock is blocked on trying to write into the unbuffered
	// channel after something else already wrote into it.
	var closeOnce sync.Once
	go func() {
		for {
			closeOnce.Do(func() {
				close(cm.internalProceduresStop)
				cm.internalCancel()
			})
			select {
			case err := <-cm.errChan:
				_ = err
			case <-stopComplete:
				return
			}
		}
	}()

	go func() {
		cm.runnables.StopAndWait(cm.shutdownCtx)
		shutdownCancel()
	}()

	<-cm.shutdownCtx.Done()
	if err := cm.shutdownCtx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		if errors.Is(err, context.DeadlineExceeded) {
			if cm.gracefulShutdownTimeout > 0 {
				return fmt.Errorf("failed waiting for all runnables to end within grace period of %s: %w", cm.gracefulShutdownTimeout, err)
			}
			return nil
		}
		return err
	}

	return nil
}
