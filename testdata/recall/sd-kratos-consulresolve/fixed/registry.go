// Recall case sd-kratos-consulresolve
// Source: github.com/go-kratos/kratos commit 271b6c29243435d498146ff9e72c39bf6760e5a5 (contrib/registry/consul/registry.go)
// Link: https://github.com/go-kratos/kratos/commit/271b6c29243435d498146ff9e72c39bf6760e5a5
// Bug: Registry.Watch(ctx) resolves the service through resolve(), which starts a fresh 10s budget with context.WithTimeout(context.Background(), ...) for the consul query (and the watcher/poller ignore ctx too), so the caller ctx cancellation/deadline is ignored.
// Fix: resolve takes the caller ctx and derives its timeout from it (context.WithTimeout(ctx, r.timeout)); the watcher and the polling goroutine also stop on ctx.
// Rule: sharedeadline
package consul

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type ServiceInstance struct {
	ID        string
	Name      string
	Endpoints []string
}

// Client stands in for the kratos consul Client wrapping the consul HTTP API.
type Client struct {
	HTTPClient *http.Client
	Address    string
}

// Service runs a consul blocking health query for service.
func (c *Client) Service(ctx context.Context, service string, index uint64, passingOnly bool) ([]*ServiceInstance, uint64, error) {
	u := fmt.Sprintf("%s/v1/health/service/%s?index=%d&wait=55s", c.Address, url.PathEscape(service), index)
	if passingOnly {
		u += "&passing=1"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("consul: %s", resp.Status)
	}
	var entries []struct {
		Service struct {
			ID      string
			Service string
			Address string
			Port    int
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&entries); err != nil {
		return nil, 0, err
	}
	lastIndex, _ := strconv.ParseUint(resp.Header.Get("X-Consul-Index"), 10, 64)
	var out []*ServiceInstance
	for _, e := range entries {
		out = append(out, &ServiceInstance{
			ID:        e.Service.ID,
			Name:      e.Service.Service,
			Endpoints: []string{fmt.Sprintf("http://%s:%d", e.Service.Address, e.Service.Port)},
		})
	}
	return out, lastIndex, nil
}

type serviceSet struct {
	serviceName string
	watcher     map[*watcher]struct{}
	services    *atomic.Value
	lock        sync.RWMutex
}

func (s *serviceSet) broadcast(ss []*ServiceInstance) {
	s.services.Store(ss)
	s.lock.RLock()
	defer s.lock.RUnlock()
	for k := range s.watcher {
		select {
		case k.event <- struct{}{}:
		default:
		}
	}
}

type watcher struct {
	event  chan struct{}
	set    *serviceSet
	ctx    context.Context
	cancel context.CancelFunc
}

func (w *watcher) Next() ([]*ServiceInstance, error) {
	select {
	case <-w.ctx.Done():
		return nil, w.ctx.Err()
	case <-w.event:
	}
	ss, ok := w.set.services.Load().([]*ServiceInstance)
	if ok {
		return ss, nil
	}
	return nil, nil
}

func (w *watcher) Stop() error {
	w.cancel()
	w.set.lock.Lock()
	defer w.set.lock.Unlock()
	delete(w.set.watcher, w)
	return nil
}

// Registry is consul registry
type Registry struct {
	cli      *Client
	registry map[string]*serviceSet
	lock     sync.RWMutex
	timeout  time.Duration
}

func New(cli *Client) *Registry {
	return &Registry{
		cli:      cli,
		registry: make(map[string]*serviceSet),
		timeout:  10 * time.Second,
	}
}

// Watch resolve service by name
func (r *Registry) Watch(ctx context.Context, name string) (*watcher, error) {
	r.lock.Lock()
	defer r.lock.Unlock()
	set, ok := r.registry[name]
	if !ok {
		set = &serviceSet{
			watcher:     make(map[*watcher]struct{}),
			services:    &atomic.Value{},
			serviceName: name,
		}
		r.registry[name] = set
	}

	// init watcher
	w := &watcher{
		event: make(chan struct{}, 1),
	}
	w.ctx, w.cancel = context.WithCancel(ctx)
	w.set = set
	set.lock.Lock()
	set.watcher[w] = struct{}{}
	set.lock.Unlock()
	ss, _ := set.services.Load().([]*ServiceInstance)
	if len(ss) > 0 {
		// If the service has a value, it needs to be pushed to the watcher,
		// otherwise the initial data may be blocked forever during the watch.
		w.event <- struct{}{}
	}

	if !ok {
		err := r.resolve(ctx, set)
		if err != nil {
			return nil, err
		}
	}
	return w, nil
}

func (r *Registry) resolve(ctx context.Context, ss *serviceSet) error {
	timeoutCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()

	services, idx, err := r.cli.Service(timeoutCtx, ss.serviceName, 0, true)
	if err != nil {
		return err
	}
	if len(services) > 0 {
		ss.broadcast(services)
	}

	go func() {
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				timeoutCtx, cancel := context.WithTimeout(context.Background(), r.timeout)
				tmpService, tmpIdx, err := r.cli.Service(timeoutCtx, ss.serviceName, idx, true)
				cancel()
				if err != nil {
					time.Sleep(time.Second)
					continue
				}
				if len(tmpService) != 0 && tmpIdx != idx {
					services = tmpService
					ss.broadcast(services)
				}
				idx = tmpIdx
			case <-ctx.Done():
				return
			}
		}
	}()

	return nil
}
