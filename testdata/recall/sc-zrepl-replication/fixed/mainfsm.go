// Recall case sc-zrepl-replication
// Source: github.com/zrepl/zrepl commit 1691839c6bb2634dd9131cfa7ea699d1620bd30c (replication/mainfsm.go)
// Link: https://github.com/zrepl/zrepl/commit/1691839c6bb2634dd9131cfa7ea699d1620bd30c
// Bug: When ctx is cancelled, the send step fails with context.Canceled, which StepError classifies as a filesystem-local error; stateWorking keeps the Working state and the Drive loop retries the filesystem again and again with the dead context instead of stopping.
// Fix: StepError gains ContextErr() and stateWorking turns a context error (with ctx.Err() != nil) into a permanent GlobalError, ending the replication.
// Rule: swallowcancel
package replication

import (
	"context"
	"fmt"
	"log"
	"sort"
	"sync"
	"time"
)

type State uint

const (
	Working State = 1 << iota
	WorkingWait
	Completed
	PermanentError
)

func (s State) rsf() state {
	switch s {
	case Working:
		return stateWorking
	case WorkingWait:
		return stateWorkingWait
	}
	return nil
}

const RetryInterval = 10 * time.Second

// Replication implements the replication of multiple file systems from a Sender to a Receiver.
type Replication struct {
	lock       sync.Mutex
	state      State
	err        error
	sleepUntil time.Time
	queue      []*FSReplication
	completed  []*FSReplication
	active     *FSReplication
}

// NewReplication stands in for the planning phase: the filesystems to
// replicate are already known and the state machine starts in Working.
func NewReplication(queue []*FSReplication) *Replication {
	return &Replication{state: Working, queue: queue}
}

type GlobalError struct {
	Err       error
	Temporary bool
}

func (e GlobalError) Error() string {
	errClass := "temporary"
	if !e.Temporary {
		errClass = "permanent"
	}
	return fmt.Sprintf("%s global error: %s", errClass, e.Err)
}

type updater func(func(*Replication)) (newState State)
type state func(ctx context.Context, sender Sender, u updater) state

// Drive starts the state machine and returns only after replication has finished (with or without errors).
func (r *Replication) Drive(ctx context.Context, sender Sender) {
	var u updater = func(f func(*Replication)) State {
		r.lock.Lock()
		defer r.lock.Unlock()
		if f != nil {
			f(r)
		}
		return r.state
	}

	var s state = stateWorking
	for s != nil {
		s = s(ctx, sender, u)
	}
}

func stateWorking(ctx context.Context, sender Sender, u updater) state {

	var active *FSReplication
	rsfNext := u(func(r *Replication) {

		r.err = nil

		newq := make([]*FSReplication, 0, len(r.queue))
		for i := range r.queue {
			if r.queue[i].CanRetry() {
				newq = append(newq, r.queue[i])
			} else {
				r.completed = append(r.completed, r.queue[i])
			}
		}
		sort.SliceStable(newq, func(i, j int) bool {
			return newq[i].NextStepDate().Before(newq[j].NextStepDate())
		})
		r.queue = newq

		if len(r.queue) == 0 {
			r.state = Completed
			return
		}

		active = r.queue[0] // do not dequeue: if it's done, it will be sorted the next time we check for more work
		r.active = active
	}).rsf()

	if active == nil {
		return rsfNext
	}

	err := active.Retry(ctx, sender)
	u(func(r *Replication) {
		r.active = nil
	}).rsf()

	if err != nil {
		if err.ContextErr() && ctx.Err() != nil {
			log.Printf("filesystem replication was cancelled: %v", err)
			u(func(r *Replication) {
				r.err = GlobalError{Err: err, Temporary: false}
				r.state = PermanentError
			})
		} else if err.LocalToFS() {
			log.Printf("filesystem replication encountered a filesystem-specific error: %v", err)
			// we stay in this state and let the queuing logic above de-prioritize this failing FS
		} else if err.Temporary() {
			log.Printf("filesystem encountered a non-filesystem-specific temporary error, enter retry-wait: %v", err)
			u(func(r *Replication) {
				r.err = GlobalError{Err: err, Temporary: true}
				r.sleepUntil = time.Now().Add(RetryInterval)
				r.state = WorkingWait
			}).rsf()
		} else {
			log.Printf("encountered a permanent non-filesystem-specific error: %v", err)
			u(func(r *Replication) {
				r.err = GlobalError{Err: err, Temporary: false}
				r.state = PermanentError
			}).rsf()
		}
	}

	return u(nil).rsf()
}

func stateWorkingWait(ctx context.Context, sender Sender, u updater) state {
	t := time.NewTimer(RetryInterval)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return u(func(r *Replication) {
			r.state = PermanentError
			r.err = ctx.Err()
		}).rsf()
	case <-t.C:
	}
	return u(func(r *Replication) {
		r.state = Working
	}).rsf()
}
