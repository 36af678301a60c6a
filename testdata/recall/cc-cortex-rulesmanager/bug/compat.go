// Recall case cc-cortex-rulesmanager
// Source: github.com/cortexproject/cortex commit 10d1517ee994cd0620ab145516f4a0840011f25d (pkg/ruler/compat.go)
// Link: https://github.com/cortexproject/cortex/pull/6326
// Bug: each per-tenant Prometheus rules manager is built with the ruler service context (ManagerOptions.Context), which is cancelled as soon as the ruler starts stopping, so while Ruler.stopping -> DefaultMultiTenantManager.Stop -> manager.Stop waits for in-flight rule evaluations to finish, their queries (frontendClient.InstantQuery) run on an already-cancelled ctx and fail instead of completing gracefully.
// Fix: DefaultTenantManagerFactory passes user.InjectOrgID(context.WithoutCancel(ctx), userID) as the rules manager context, so in-flight evaluations can complete (bounded by their own query timeouts) during shutdown.
// Rule: cleanupctx
package ruler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// ---------------------------------------------------------------------------
// Stand-ins for github.com/prometheus/prometheus/rules (the part that matters:
// groups evaluate with ManagerOptions.Context, Stop waits for the in-flight
// evaluation to finish).
// ---------------------------------------------------------------------------

type Sample struct {
	T int64
	F float64
}

type Vector []Sample

// QueryFunc processes PromQL queries.
type QueryFunc func(ctx context.Context, q string, t time.Time) (Vector, error)

// ManagerOptions bundles options for the Manager.
type ManagerOptions struct {
	QueryFunc QueryFunc
	Context   context.Context
	Logger    *slog.Logger
}

// Group is a set of rules evaluated together.
type Group struct {
	name       string
	queries    []string
	interval   time.Duration
	opts       *ManagerOptions
	done       chan struct{}
	terminated chan struct{}
}

func (g *Group) run(ctx context.Context) {
	defer close(g.terminated)
	tick := time.NewTicker(g.interval)
	defer tick.Stop()
	for {
		select {
		case <-g.done:
			return
		case ts := <-tick.C:
			g.Eval(ctx, ts)
		}
	}
}

// Eval runs a single evaluation cycle in which all rules are evaluated sequentially.
func (g *Group) Eval(ctx context.Context, ts time.Time) {
	for _, q := range g.queries {
		if _, err := g.opts.QueryFunc(ctx, q, ts); err != nil {
			g.opts.Logger.Warn("Evaluating rule failed", "group", g.name, "err", err)
		}
	}
}

// stop waits for the in-flight evaluation to finish.
func (g *Group) stop() {
	close(g.done)
	<-g.terminated
}

// Manager manages recording and alerting rules.
type Manager struct {
	opts   *ManagerOptions
	mtx    sync.Mutex
	groups map[string]*Group
	block  chan struct{}
}

// NewManager returns an implementation of Manager, ready to be started
// by calling the Run method.
func NewManager(o *ManagerOptions) *Manager {
	return &Manager{opts: o, groups: map[string]*Group{}, block: make(chan struct{})}
}

// Run starts processing of the rule manager. It is blocking.
func (m *Manager) Run() { <-m.block }

// Stop the rule manager's rule evaluation cycles.
func (m *Manager) Stop() {
	m.mtx.Lock()
	defer m.mtx.Unlock()
	for _, g := range m.groups {
		g.stop()
	}
	close(m.block)
}

// Update the rule manager's state as the config requires.
func (m *Manager) Update(interval time.Duration, files []string) error {
	m.mtx.Lock()
	defer m.mtx.Unlock()
	for _, f := range files {
		if _, ok := m.groups[f]; ok {
			continue
		}
		g := &Group{
			name:       f,
			queries:    []string{f},
			interval:   interval,
			opts:       m.opts,
			done:       make(chan struct{}),
			terminated: make(chan struct{}),
		}
		m.groups[f] = g
		go g.run(m.opts.Context)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Stand-in for github.com/weaveworks/common/user.
// ---------------------------------------------------------------------------

type orgIDKey struct{}

// InjectOrgID returns a derived context containing the org ID.
func InjectOrgID(ctx context.Context, orgID string) context.Context {
	return context.WithValue(ctx, orgIDKey{}, orgID)
}

// ---------------------------------------------------------------------------
// pkg/ruler/compat.go (reduced)
// ---------------------------------------------------------------------------

// frontendClient runs rule queries against the query-frontend over HTTP.
type frontendClient struct {
	client  *http.Client
	address string
}

// InstantQuery runs an instant query through the query-frontend.
func (p *frontendClient) InstantQuery(ctx context.Context, qs string, t time.Time) (Vector, error) {
	args := make(url.Values)
	args.Set("query", qs)
	if !t.IsZero() {
		args.Set("time", strconv.FormatInt(t.Unix(), 10))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.address+"/api/v1/query?"+args.Encode(), nil)
	if err != nil {
		return nil, err
	}
	if orgID, ok := ctx.Value(orgIDKey{}).(string); ok {
		req.Header.Set("X-Scope-OrgID", orgID)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("query-frontend returned %s", resp.Status)
	}
	var v Vector
	return v, json.NewDecoder(resp.Body).Decode(&v)
}

// QueryEngine is the local PromQL engine used when no frontend is configured.
type QueryEngine interface {
	Exec(ctx context.Context, qs string, t time.Time) (Vector, error)
}

func EngineQueryFunc(engine QueryEngine, frontendClient *frontendClient, userID string) QueryFunc {
	return func(ctx context.Context, qs string, t time.Time) (Vector, error) {
		if frontendClient != nil {
			v, err := frontendClient.InstantQuery(ctx, qs, t)
			if err != nil {
				return nil, err
			}

			return v, nil
		} else {
			if engine == nil {
				return nil, errors.New("no query engine")
			}
			return engine.Exec(ctx, qs, t)
		}
	}
}

func MetricsQueryFunc(qf QueryFunc, queries, failedQueries *int64) QueryFunc {
	return func(ctx context.Context, qs string, t time.Time) (Vector, error) {
		*queries++
		result, err := qf(ctx, qs, t)
		if err != nil {
			*failedQueries++
		}
		return result, err
	}
}

// This interface mimics rules.Manager API. Interface is used to simplify tests.
type RulesManager interface {
	// Starts rules manager. Blocks until Stop is called.
	Run()

	// Stops rules manager. (Unblocks Run.)
	Stop()

	// Updates rules manager state.
	Update(interval time.Duration, files []string) error
}

// Config is the ruler config (reduced).
type Config struct {
	FrontendAddress    string
	EvaluationInterval time.Duration
	PollInterval       time.Duration
}

// ManagerFactory is a function that creates new RulesManager for given user.
type ManagerFactory func(ctx context.Context, userID string, logger *slog.Logger) (RulesManager, error)

func DefaultTenantManagerFactory(cfg Config, engine QueryEngine) ManagerFactory {
	return func(ctx context.Context, userID string, logger *slog.Logger) (RulesManager, error) {
		var client *frontendClient
		var totalQueries, failedQueries int64

		if cfg.FrontendAddress != "" {
			client = &frontendClient{client: &http.Client{Timeout: 2 * time.Minute}, address: cfg.FrontendAddress}
		}
		engineQueryFunc := EngineQueryFunc(engine, client, userID)
		queryFunc := MetricsQueryFunc(engineQueryFunc, &totalQueries, &failedQueries)

		return NewManager(&ManagerOptions{
			QueryFunc: queryFunc,
			Context:   InjectOrgID(ctx, userID),
			Logger:    logger.With("user", userID),
		}), nil
	}
}
