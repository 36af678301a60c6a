// Recall case tl-openfga-directuserset
// Source: github.com/openfga/openfga commit 40e65ec854d8391d59b61cabe5dfb32aed647006 (server/commands/check.go)
// Link: https://github.com/openfga/openfga/commit/40e65ec854d8391d59b61cabe5dfb32aed647006
// Bug: in CheckQuery.resolveDirectUserSet the goroutines send their error result with a bare "c <- &chanResolveResult{...}" on an unbuffered channel; when resolveDirectUserSet has already returned (readUsersetTuples/iterator error, or user found), nobody reads c and the goroutine (plus the wg.Wait/close(c) goroutine) blocks forever.
// Fix: every send selects on the done channel that resolveDirectUserSet closes on return.
// Rule: timeoutleak
package commands

import (
	"context"
	"sync"
	"sync/atomic"
)

// userSet mirrors the concurrent set of found users.
type userSet struct {
	mu sync.Mutex
	m  map[string]struct{}
}

func (u *userSet) Add(values ...string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, v := range values {
		u.m[v] = struct{}{}
	}
}

func (u *userSet) Get(value string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	_, ok := u.m[value]
	return ok
}

type circuitBreaker struct{ open atomic.Bool }

func (sc *circuitBreaker) Open()        { sc.open.Store(true) }
func (sc *circuitBreaker) IsOpen() bool { return sc.open.Load() }

type resolutionContext struct {
	store      string
	modelID    string
	tk         *TupleKey
	targetUser string
	users      *userSet
	resolves   *atomic.Uint32
	internalCB *circuitBreaker
	externalCB *circuitBreaker
}

func newResolutionContext(store, modelID string, tk *TupleKey) *resolutionContext {
	return &resolutionContext{
		store:      store,
		modelID:    modelID,
		tk:         tk,
		targetUser: tk.User,
		users:      &userSet{m: map[string]struct{}{}},
		resolves:   &atomic.Uint32{},
		internalCB: &circuitBreaker{},
		externalCB: &circuitBreaker{},
	}
}

func (rc *resolutionContext) addResolve() uint32 { return rc.resolves.Add(1) }

func (rc *resolutionContext) shouldShortCircuit() bool {
	if rc.internalCB.IsOpen() || rc.externalCB.IsOpen() {
		return true
	}
	return rc.userFound()
}

func (rc *resolutionContext) shortCircuit() { rc.internalCB.Open() }

func (rc *resolutionContext) userFound() bool {
	ok := rc.users.Get(rc.targetUser)
	if ok {
		rc.shortCircuit()
	}
	return ok
}

func (rc *resolutionContext) fork(tk *TupleKey) *resolutionContext {
	return &resolutionContext{
		store:      rc.store,
		modelID:    rc.modelID,
		tk:         tk,
		targetUser: rc.targetUser,
		users:      &userSet{m: map[string]struct{}{}},
		resolves:   rc.resolves,
		internalCB: &circuitBreaker{},
		externalCB: rc.internalCB,
	}
}

func (rc *resolutionContext) readUserTuple(ctx context.Context, backend Datastore) (*TupleKey, error) {
	return backend.ReadUserTuple(ctx, rc.store, rc.tk)
}

func (rc *resolutionContext) readUsersetTuples(ctx context.Context, backend Datastore) (*tupleKeyIterator, error) {
	usersetTuples, err := backend.ReadUsersetTuples(ctx, rc.store, rc.tk)
	if err != nil {
		return nil, err
	}
	return &tupleKeyIterator{tIterator: usersetTuples}, nil
}

type tupleKeyIterator struct {
	tIterator TupleIterator
}

func (t *tupleKeyIterator) next() (*TupleKey, error) {
	return t.tIterator.Next()
}

func (t *tupleKeyIterator) stop() {
	t.tIterator.Stop()
}
