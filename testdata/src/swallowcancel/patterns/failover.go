package patterns

import (
	"context"
	"errors"
	"net/http"
	"sync"
)

// Failover loops that blame the target of an attempt that may have failed
// because the caller gave up (typesense-go marked each poolNode unhealthy and
// went on to the next; the fix returns on context.Canceled first).

type poolNode struct {
	url     string
	healthy bool
}

type nodePool struct {
	mu    sync.Mutex
	nodes []*poolNode
	next  int
	hc    *http.Client
}

func (p *nodePool) nextNode() *poolNode {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.nodes[p.next%len(p.nodes)]
	p.next++
	return n
}

func markUnhealthy(n *poolNode) { n.healthy = false }

func (p *nodePool) send(ctx context.Context, path string) (*http.Response, error) {
	var lastErr error
	for i := 0; i < len(p.nodes); i++ {
		n := p.nextNode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.url+path, nil)
		if err != nil {
			return nil, err
		}
		resp, err := p.hc.Do(req)
		if err != nil { // want `after err, which may be a context cancellation \(from \(\*http.Client\).Do\), the loop blames the target it tried \(markUnhealthy\) and goes on to the next`
			lastErr = err
			markUnhealthy(n)
			continue
		}
		return resp, nil
	}
	return nil, lastErr
}

// A cached client dropped on failure (rpcx's removeClient).
type clients struct {
	mu    sync.Mutex
	cache map[string]*http.Client
}

func (c *clients) remove(addr string, hc *http.Client) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.cache, addr)
}

func (c *clients) pick(addr string) *http.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cache[addr]
}

func (c *clients) call(ctx context.Context, addrs []string, url string) error {
	for _, addr := range addrs {
		hc := c.pick(addr)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err == nil { // want `the loop blames the target it tried \(remove\)`
			return resp.Body.Close()
		}
		c.remove(addr, hc)
	}
	return errors.New("no server answered")
}

// Negatives.

// The fix: a cancellation ends the loop before any blame.
func (p *nodePool) sendFixed(ctx context.Context, path string) (*http.Response, error) {
	var lastErr error
	for i := 0; i < len(p.nodes); i++ {
		n := p.nextNode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.url+path, nil)
		if err != nil {
			return nil, err
		}
		resp, err := p.hc.Do(req)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil, err
			}
			lastErr = err
			markUnhealthy(n)
			continue
		}
		return resp, nil
	}
	return nil, lastErr
}

// Or looks at the context first.
func (p *nodePool) sendCtxChecked(ctx context.Context, path string) (*http.Response, error) {
	var lastErr error
	for i := 0; i < len(p.nodes); i++ {
		n := p.nextNode()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, n.url+path, nil)
		resp, err := p.hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lastErr = err
			markUnhealthy(n)
			continue
		}
		return resp, nil
	}
	return nil, lastErr
}

// Trying each server in turn without blaming any (a resolver): a cancelled
// request costs a few fast failures, and the last error is the caller's.
func tryEach(ctx context.Context, hc *http.Client, urls []string) (*http.Response, error) {
	var lastErr error
	for _, u := range urls {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, err := hc.Do(req)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		logFailure(u, err)
	}
	return nil, lastErr
}

// A helper that only reports changes nothing: no blame.
func logFailure(u string, err error) { println(u, err.Error()) }

// The blame happens on the request's own context, which the function made.
func (p *nodePool) probe(path string) {
	for i := 0; i < len(p.nodes); i++ {
		n := p.nextNode()
		ctx, cancel := context.WithTimeout(context.Background(), 1)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, n.url+path, nil)
		resp, err := p.hc.Do(req)
		cancel()
		if err != nil {
			markUnhealthy(n)
			continue
		}
		resp.Body.Close()
	}
}
