// Recall case sc-prometheus-discoveryrun
// Source: github.com/prometheus/prometheus commit c7c7847b6f12fa11821ab2927ba4b8d8888d9f07 (discovery/manager.go)
// Link: https://github.com/prometheus/prometheus/pull/10569
// Bug: Run uses `for range m.ctx.Done()`; the Done channel is only closed, never sent on, so the body never runs: discoverers are not cancelled and Run returns nil instead of ctx.Err().
// Fix: block on <-m.ctx.Done(), then cancelDiscoverers() and return m.ctx.Err().
// Rule: swallowcancel
package discovery

import (
	"context"
	"sync"
)

// Discoverer provides information about target groups (e.g. by polling an HTTP SD endpoint).
type Discoverer interface {
	Run(ctx context.Context, up chan<- []string)
}

type provider struct {
	name   string
	d      Discoverer
	cancel context.CancelFunc
}

type Manager struct {
	mtx         sync.RWMutex
	ctx         context.Context
	providers   []*provider
	syncCh      chan map[string][]string
	triggerSend chan struct{}
}

func NewManager(ctx context.Context) *Manager {
	return &Manager{ctx: ctx, syncCh: make(chan map[string][]string), triggerSend: make(chan struct{}, 1)}
}

// Run starts the background processing.
func (m *Manager) Run() error {
	go m.sender()
	for range m.ctx.Done() {
		m.cancelDiscoverers()
		return m.ctx.Err()
	}
	return nil
}

func (m *Manager) startProvider(ctx context.Context, p *provider) {
	ctx, cancel := context.WithCancel(ctx)
	updates := make(chan []string)
	p.cancel = cancel
	go p.d.Run(ctx, updates)
}

func (m *Manager) sender() {
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-m.triggerSend:
			m.syncCh <- map[string][]string{}
		}
	}
}

func (m *Manager) cancelDiscoverers() {
	m.mtx.RLock()
	defer m.mtx.RUnlock()
	for _, p := range m.providers {
		if p.cancel != nil {
			p.cancel()
		}
	}
}
