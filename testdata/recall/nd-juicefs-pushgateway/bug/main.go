// Recall case nd-juicefs-pushgateway
// Source: github.com/juicedata/juicefs commit 54295c94bcb9243a18bc1fa989bc995feec26278 (sdk/java/libjfs/main.go)
// Link: https://github.com/juicedata/juicefs/commit/54295c94bcb9243a18bc1fa989bc995feec26278
// Bug: push2Gateway builds a push.Pusher that uses the library's default http.Client (no Timeout) and Push() sends a request without a ctx deadline, so the ticker goroutine blocks forever on a hung PushGateway.
// Fix: pusher.Client(&http.Client{Timeout: 2 * time.Second}) so every Push is bounded.
// Rule: nodeadline
package libjfs

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

var (
	pOnce   sync.Once
	pushers []*Pusher
)

func push2Gateway(pushGatewayAddr, pushAuth string, pushInterVal time.Duration, registry *Registry, commonLabels map[string]string) {
	pusher := New(pushGatewayAddr, "juicefs").Gatherer(registry)
	for k, v := range commonLabels {
		pusher.Grouping(k, v)
	}
	if pushAuth != "" {
		if strings.Contains(pushAuth, ":") {
			parts := strings.Split(pushAuth, ":")
			pusher.BasicAuth(parts[0], parts[1])
		}
	}
	pushers = append(pushers, pusher)

	pOnce.Do(func() {
		go func() {
			for range time.NewTicker(pushInterVal).C {
				for _, pusher := range pushers {
					if err := pusher.Push(); err != nil {
						log.Printf("error pushing to PushGateway: %s", err)
					}
				}
			}
		}()
	})
}

// ---- stub of github.com/prometheus/client_golang/prometheus (Registry) ----

// Registry is a minimal metrics registry that renders metrics in text format.
type Registry struct {
	mu      sync.Mutex
	metrics map[string]float64
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{metrics: map[string]float64{}}
}

// Set records a metric value.
func (r *Registry) Set(name string, v float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.metrics[name] = v
}

// Gather renders all metrics in the text exposition format.
func (r *Registry) Gather() ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.metrics))
	for n := range r.metrics {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&buf, "%s %g\n", n, r.metrics[n])
	}
	return buf.Bytes(), nil
}

// ---- stub of github.com/prometheus/client_golang/prometheus/push (v1.11.1) ----

// Pusher manages a push to the Pushgateway, like push.Pusher.
type Pusher struct {
	url, job string
	grouping map[string]string
	gatherer *Registry

	client             *http.Client
	useBasicAuth       bool
	username, password string
}

// New creates a Pusher; like push.New it uses a plain &http.Client{} by default.
func New(url, job string) *Pusher {
	return &Pusher{
		url:      url,
		job:      job,
		grouping: map[string]string{},
		client:   &http.Client{},
	}
}

// Gatherer sets the gatherer to push.
func (p *Pusher) Gatherer(g *Registry) *Pusher {
	p.gatherer = g
	return p
}

// Grouping adds a label pair to the grouping key.
func (p *Pusher) Grouping(name, value string) *Pusher {
	p.grouping[name] = value
	return p
}

// Client sets the HTTP client used for pushing.
func (p *Pusher) Client(c *http.Client) *Pusher {
	p.client = c
	return p
}

// BasicAuth configures basic authentication.
func (p *Pusher) BasicAuth(username, password string) *Pusher {
	p.useBasicAuth = true
	p.username = username
	p.password = password
	return p
}

// Push collects the metrics and replaces them on the Pushgateway (HTTP PUT).
func (p *Pusher) Push() error {
	return p.push(http.MethodPut)
}

func (p *Pusher) fullURL() string {
	u := strings.TrimRight(p.url, "/") + "/metrics/job/" + url.PathEscape(p.job)
	keys := make([]string, 0, len(p.grouping))
	for k := range p.grouping {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		u += "/" + url.PathEscape(k) + "/" + url.PathEscape(p.grouping[k])
	}
	return u
}

func (p *Pusher) push(method string) error {
	body, err := p.gatherer.Gather()
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, p.fullURL(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	if p.useBasicAuth {
		req.SetBasicAuth(p.username, p.password)
	}
	req.Header.Set("Content-Type", "text/plain; version=0.0.4")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Depending on version and configuration of the PGW, StatusOK or StatusAccepted may be returned.
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("unexpected status code %d while pushing to %s: %s", resp.StatusCode, p.fullURL(), b)
	}
	return nil
}
