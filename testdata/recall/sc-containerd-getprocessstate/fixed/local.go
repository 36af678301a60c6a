// Recall case sc-containerd-getprocessstate
// Source: github.com/containerd/containerd commit f078cebbd11b16cd52559598e7bd778b1cc06e2a (plugins/services/tasks/local.go)
// Link: https://github.com/containerd/containerd/pull/12821 (reported in https://github.com/containerd/nerdctl/issues/4720)
// Bug: getProcessState logs a context-deadline-exceeded error from p.State and returns an UNKNOWN process with a nil error.
// Fix: deadline-exceeded errors are returned to the caller like NotFound/Unavailable.
// Rule: swallowcancel
package tasks

import (
	"context"
	"errors"
	"log"
	"net/http"
	"time"
)

const stateTimeout = 2 * time.Second

var (
	errNotFound    = errors.New("not found")
	errUnavailable = errors.New("unavailable")
)

type State struct {
	Status string
	Pid    uint32
}

// Process stands in for runtime.Process; State asks the shim over the network.
type Process interface {
	ID() string
	State(ctx context.Context) (State, error)
}

type shimProcess struct {
	id      string
	address string
}

func (p *shimProcess) ID() string { return p.id }

func (p *shimProcess) State(ctx context.Context) (State, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.address+"/state/"+p.id, nil)
	if err != nil {
		return State{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return State{}, err
	}
	defer resp.Body.Close()
	return State{Status: "running"}, nil
}

type TaskProcess struct {
	ID     string
	Pid    uint32
	Status string
}

func getProcessState(ctx context.Context, p Process) (*TaskProcess, error) {
	ctx, cancel := context.WithTimeout(ctx, stateTimeout)
	defer cancel()

	state, err := p.State(ctx)
	if err != nil {
		if errors.Is(err, errNotFound) || errors.Is(err, errUnavailable) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		log.Printf("get state for %s: %v", p.ID(), err)
	}
	status := "UNKNOWN"
	switch state.Status {
	case "created", "running", "stopped", "paused":
		status = state.Status
	}
	return &TaskProcess{ID: p.ID(), Pid: state.Pid, Status: status}, nil
}
