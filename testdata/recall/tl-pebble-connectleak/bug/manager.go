// Recall case tl-pebble-connectleak
// Source: github.com/canonical/pebble commit b43995f1453397b006ac21ca3bf7938b93c7ca0d (internals/overlord/cmdstate/manager.go)
// Link: https://github.com/canonical/pebble/commit/b43995f1453397b006ac21ca3bf7938b93c7ca0d
// Bug: Connect starts a goroutine that sends the found execution on an unbuffered channel, but Connect may return early on r.Context().Done() or change.Ready(), leaving the goroutine blocked on the send forever.
// Fix: executionCh is made a buffered channel of size 1 so the send never blocks.
// Rule: timeoutleak
package cmdstate

import (
	"net/http"
	"sync"
)

// State is a minimal stand-in for pebble's overlord state.
type State struct{ mu sync.Mutex }

func (s *State) Lock()   { s.mu.Lock() }
func (s *State) Unlock() { s.mu.Unlock() }

// Change is a minimal stand-in for state.Change.
type Change struct {
	ready chan struct{}
	err   error
}

func (c *Change) Ready() <-chan struct{} { return c.ready }
func (c *Change) Err() error             { return c.err }

// Task is a minimal stand-in for state.Task.
type Task struct {
	id     string
	st     *State
	change *Change
}

func (t *Task) ID() string      { return t.id }
func (t *Task) State() *State   { return t.st }
func (t *Task) Change() *Change { return t.change }

type execution struct {
	websockets map[string]http.ResponseWriter
}

func (e *execution) connect(r *http.Request, w http.ResponseWriter, websocketID string) error {
	w.WriteHeader(http.StatusSwitchingProtocols)
	e.websockets[websocketID] = w
	return nil
}

type CommandManager struct {
	executions     map[string]*execution
	executionsCond *sync.Cond
}

// NewManager creates a new CommandManager.
func NewManager() *CommandManager {
	return &CommandManager{
		executions:     make(map[string]*execution),
		executionsCond: sync.NewCond(&sync.Mutex{}),
	}
}

// Connect upgrades the HTTP connection and connects to the given websocket.
func (m *CommandManager) Connect(r *http.Request, w http.ResponseWriter, task *Task, websocketID string) error {
	stopWait := make(chan struct{})
	defer func() {
		// So waitExecution wakes up if it's stuck in Wait().
		m.executionsCond.L.Lock()
		close(stopWait)
		m.executionsCond.Broadcast()
		m.executionsCond.L.Unlock()
	}()

	executionCh := make(chan *execution)
	go func() {
		e := m.waitExecution(task.ID(), stopWait)
		if e != nil {
			executionCh <- e
		}
	}()

	st := task.State()
	st.Lock()
	change := task.Change()
	st.Unlock()

	// Wait till the execution object is ready or the request is cancelled.
	select {
	case e := <-executionCh:
		return e.connect(r, w, websocketID)
	case <-r.Context().Done():
		return r.Context().Err()
	// Change unexpectedly marked ready, probably due to the client not sending
	// websocket requests in time.
	case <-change.Ready():
		st.Lock()
		defer st.Unlock()
		return change.Err()
	}
}

func (m *CommandManager) waitExecution(taskID string, stop <-chan struct{}) *execution {
	m.executionsCond.L.Lock()
	defer m.executionsCond.L.Unlock()

	for {
		select {
		case <-stop:
			return nil
		default:
		}

		e := m.executions[taskID]
		if e != nil {
			return e
		}
		m.executionsCond.Wait()
	}
}
