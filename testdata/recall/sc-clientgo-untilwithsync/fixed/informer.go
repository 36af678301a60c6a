// Recall case sc-clientgo-untilwithsync
// Source: github.com/kubernetes/client-go commit 21fffc1153f10ffcc3cfd6ef23f932b1547a57ed (tools/watch/informerwatcher.go, tools/cache/shared_informer.go; reduced stand-ins)
// Link: https://github.com/kubernetes/kubernetes/pull/114578
// Bug: UntilWithSync returns fmt.Errorf("UntilWithSync: unable to sync caches: %v", ctx.Err()) when WaitForCacheSync is stopped by ctx, so callers cannot errors.Is(err, context.DeadlineExceeded/Canceled).
// Fix: wrap the context error with %w instead of %v.
// Rule: swallowcancel

package watch

import (
	"sync"
	"sync/atomic"
	"time"
)

// Object is a (stub) runtime.Object.
type Object interface{}

// EventType is a (stub) watch.EventType.
type EventType string

// Event is a (stub) watch.Event.
type Event struct {
	Type   EventType
	Object Object
}

// Interface is a (stub) watch.Interface.
type Interface interface {
	Stop()
	ResultChan() <-chan Event
}

// ListerWatcher is a (stub) cache.ListerWatcher: the typed client's List/Watch.
type ListerWatcher interface {
	List() ([]Object, error)
	Watch() (Interface, error)
}

// Store is a (stub) cache.Store.
type Store interface {
	List() []Object
}

// Controller is a (stub) cache.Controller.
type Controller interface {
	HasSynced() bool
}

// InformerSynced is cache.InformerSynced.
type InformerSynced func() bool

const syncedPollPeriod = 100 * time.Millisecond

// WaitForCacheSync waits for caches to populate. It returns true if it was successful, false
// if the controller should shutdown.
func WaitForCacheSync(stopCh <-chan struct{}, cacheSyncs ...InformerSynced) bool {
	t := time.NewTicker(syncedPollPeriod)
	defer t.Stop()
	for {
		synced := true
		for _, s := range cacheSyncs {
			if !s() {
				synced = false
				break
			}
		}
		if synced {
			return true
		}
		select {
		case <-stopCh:
			return false
		case <-t.C:
		}
	}
}

type store struct {
	mu    sync.Mutex
	items []Object
}

func (s *store) List() []Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Object(nil), s.items...)
}

type informer struct {
	lw     ListerWatcher
	store  *store
	synced atomic.Bool
}

func (i *informer) HasSynced() bool { return i.synced.Load() }

type proxyWatcher struct {
	result   chan Event
	stopCh   chan struct{}
	stopOnce sync.Once
}

func (w *proxyWatcher) Stop()                    { w.stopOnce.Do(func() { close(w.stopCh) }) }
func (w *proxyWatcher) ResultChan() <-chan Event { return w.result }

func (i *informer) run(w *proxyWatcher) {
	items, err := i.lw.List()
	if err != nil {
		return
	}
	i.store.mu.Lock()
	i.store.items = items
	i.store.mu.Unlock()
	i.synced.Store(true)

	wi, err := i.lw.Watch()
	if err != nil {
		return
	}
	defer wi.Stop()
	for {
		select {
		case <-w.stopCh:
			return
		case ev, ok := <-wi.ResultChan():
			if !ok {
				return
			}
			select {
			case w.result <- ev:
			case <-w.stopCh:
				return
			}
		}
	}
}

// NewIndexerInformerWatcher will create an IndexerInformer and wrap it into watch.Interface
// so you can use it anywhere where you'd have used a regular Watcher returned from Watch method.
func NewIndexerInformerWatcher(lw ListerWatcher, objType Object) (Store, Controller, Interface, <-chan struct{}) {
	inf := &informer{lw: lw, store: &store{}}
	w := &proxyWatcher{result: make(chan Event), stopCh: make(chan struct{})}
	doneCh := make(chan struct{})
	go func() {
		defer close(doneCh)
		inf.run(w)
	}()
	return inf.store, inf, w, doneCh
}
