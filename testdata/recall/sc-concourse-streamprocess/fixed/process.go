// Recall case sc-concourse-streamprocess
// Source: github.com/concourse/concourse commit c55975817d630e447fd3c5d7d6403e952b431e18 (atc/worker/gclient/connection/connection.go)
// Link: https://github.com/concourse/concourse/commit/c55975817d630e447fd3c5d7d6403e952b431e18
// Bug: When ctx is done while streaming, the process is marked exited with errors.New("... canceled by context.Done"), a fresh error that drops ctx.Err(), so Wait() callers cannot tell context.Canceled/DeadlineExceeded apart (errors.Is fails).
// Fix: The exit error is built with fmt.Errorf("...: %w", ctx.Err()) so the context error is wrapped.
// Rule: swallowcancel
package connection

import (
	"sync"
)

type process struct {
	id string

	done       bool
	exitStatus int
	exitErr    error
	doneL      *sync.Cond
}

func newProcess(id string) *process {
	return &process{
		id:    id,
		doneL: sync.NewCond(&sync.Mutex{}),
	}
}

func (p *process) ID() string {
	return p.id
}

func (p *process) Wait() (int, error) {
	p.doneL.L.Lock()
	for !p.done {
		p.doneL.Wait()
	}
	defer p.doneL.L.Unlock()
	return p.exitStatus, p.exitErr
}

func (p *process) exited(exitStatus int, err error) {
	p.doneL.L.Lock()
	p.exitStatus = exitStatus
	p.exitErr = err
	p.done = true
	p.doneL.L.Unlock()

	p.doneL.Broadcast()
}
