// Recall case cc-cortex-rulesmanager
// Source: github.com/cortexproject/cortex commit 10d1517ee994cd0620ab145516f4a0840011f25d (pkg/ruler/ruler.go)
// Link: https://github.com/cortexproject/cortex/pull/6326
// Bug: each per-tenant Prometheus rules manager is built with the ruler service context (ManagerOptions.Context), which is cancelled as soon as the ruler starts stopping, so while Ruler.stopping -> DefaultMultiTenantManager.Stop -> manager.Stop waits for in-flight rule evaluations to finish, their queries (frontendClient.InstantQuery) run on an already-cancelled ctx and fail instead of completing gracefully.
// Fix: DefaultTenantManagerFactory passes user.InjectOrgID(context.WithoutCancel(ctx), userID) as the rules manager context, so in-flight evaluations can complete (bounded by their own query timeouts) during shutdown.
// Rule: cleanupctx
package ruler

import (
	"context"
	"log/slog"
	"time"
)

// MultiTenantManager is the interface of interaction with a Manager that is tenant aware.
type MultiTenantManager interface {
	// SyncRuleGroups is used to sync the Manager with rules from the RuleStore.
	SyncRuleGroups(ctx context.Context, ruleGroups map[string][]string)
	// Stop stops all Manager components.
	Stop()
}

// RuleStore loads the rule groups for every tenant.
type RuleStore interface {
	ListAllRuleGroups(ctx context.Context) (map[string][]string, error)
}

// Ruler evaluates rules.
type Ruler struct {
	cfg     Config
	manager MultiTenantManager
	store   RuleStore
	logger  *slog.Logger

	cancel  context.CancelFunc
	runDone chan struct{}
}

func NewRuler(cfg Config, manager MultiTenantManager, store RuleStore, logger *slog.Logger) *Ruler {
	return &Ruler{cfg: cfg, manager: manager, store: store, logger: logger}
}

// StartAsync mimics services.BasicService: run() gets a service context that is
// cancelled by StopAndAwaitTerminated before stopping() is invoked.
func (r *Ruler) StartAsync(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	r.cancel = cancel
	r.runDone = make(chan struct{})
	go func() {
		defer close(r.runDone)
		_ = r.run(ctx)
	}()
}

// StopAndAwaitTerminated cancels the service context, waits for run to return
// and then calls stopping, like dskit's BasicService.
func (r *Ruler) StopAndAwaitTerminated() error {
	r.cancel()
	<-r.runDone
	return r.stopping(nil)
}

func (r *Ruler) stopping(_ error) error {
	r.manager.Stop()
	return nil
}

func (r *Ruler) run(ctx context.Context) error {
	r.logger.Info("ruler up and running")

	tick := time.NewTicker(r.cfg.PollInterval)
	defer tick.Stop()

	r.syncRules(ctx, "initial")
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			r.syncRules(ctx, "periodic")
		}
	}
}

func (r *Ruler) syncRules(ctx context.Context, reason string) {
	r.logger.Info("syncing rules", "reason", reason)

	loadedConfigs, err := r.store.ListAllRuleGroups(ctx)
	if err != nil {
		return
	}

	if ctx.Err() != nil {
		r.logger.Info("context is canceled. not syncing rules")
		return
	}
	// This will also delete local group files for users that are no longer in 'configs' map.
	r.manager.SyncRuleGroups(ctx, loadedConfigs)
}
