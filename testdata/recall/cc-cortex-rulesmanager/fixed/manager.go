// Recall case cc-cortex-rulesmanager
// Source: github.com/cortexproject/cortex commit 10d1517ee994cd0620ab145516f4a0840011f25d (pkg/ruler/manager.go)
// Link: https://github.com/cortexproject/cortex/pull/6326
// Bug: each per-tenant Prometheus rules manager is built with the ruler service context (ManagerOptions.Context), which is cancelled as soon as the ruler starts stopping, so while Ruler.stopping -> DefaultMultiTenantManager.Stop -> manager.Stop waits for in-flight rule evaluations to finish, their queries (frontendClient.InstantQuery) run on an already-cancelled ctx and fail instead of completing gracefully.
// Fix: DefaultTenantManagerFactory passes user.InjectOrgID(context.WithoutCancel(ctx), userID) as the rules manager context, so in-flight evaluations can complete (bounded by their own query timeouts) during shutdown.
// Rule: cleanupctx
package ruler

import (
	"context"
	"log/slog"
	"sync"
)

// DefaultMultiTenantManager owns one Prometheus rules manager per tenant.
type DefaultMultiTenantManager struct {
	cfg            Config
	managerFactory ManagerFactory
	logger         *slog.Logger

	// Structs for holding per-user Prometheus rules Managers
	// and a corresponding metrics struct
	userManagerMtx sync.RWMutex
	userManagers   map[string]RulesManager

	syncRuleMtx sync.Mutex
}

func NewDefaultMultiTenantManager(cfg Config, managerFactory ManagerFactory, logger *slog.Logger) *DefaultMultiTenantManager {
	return &DefaultMultiTenantManager{
		cfg:            cfg,
		managerFactory: managerFactory,
		logger:         logger,
		userManagers:   map[string]RulesManager{},
	}
}

func (r *DefaultMultiTenantManager) SyncRuleGroups(ctx context.Context, ruleGroups map[string][]string) {
	// this is a safety lock to ensure this method is executed sequentially
	r.syncRuleMtx.Lock()
	defer r.syncRuleMtx.Unlock()

	for userID, ruleGroup := range ruleGroups {
		r.syncRulesToManager(ctx, userID, ruleGroup)
	}

	r.userManagerMtx.Lock()
	defer r.userManagerMtx.Unlock()

	// Check for deleted users and remove them
	for userID, mngr := range r.userManagers {
		if _, exists := ruleGroups[userID]; !exists {
			go mngr.Stop()
			delete(r.userManagers, userID)
			r.logger.Info("deleted rule manager and local rule files", "user", userID)
		}
	}
}

// syncRulesToManager maps the rule files to disk, detects any changes and will create/update the
// users Prometheus Rules Manager.
func (r *DefaultMultiTenantManager) syncRulesToManager(ctx context.Context, user string, groups []string) {
	existing := true
	manager := r.getRulesManager(user, ctx)
	if manager == nil {
		existing = false
		manager = r.createRulesManager(user, ctx)
	}

	if manager == nil {
		return
	}

	if !existing || len(groups) > 0 {
		r.logger.Debug("updating rules", "user", user)
		err := manager.Update(r.cfg.EvaluationInterval, groups)
		if err != nil {
			r.logger.Error("unable to update rule manager", "user", user, "err", err)
			return
		}
	}
}

func (r *DefaultMultiTenantManager) getRulesManager(user string, ctx context.Context) RulesManager {
	r.userManagerMtx.RLock()
	defer r.userManagerMtx.RUnlock()
	return r.userManagers[user]
}

func (r *DefaultMultiTenantManager) createRulesManager(user string, ctx context.Context) RulesManager {
	r.userManagerMtx.Lock()
	defer r.userManagerMtx.Unlock()

	manager, err := r.newManager(ctx, user)
	if err != nil {
		r.logger.Error("unable to create rule manager", "user", user, "err", err)
		return nil
	}
	// manager.Run() starts running the manager and blocks until Stop() is called.
	// Hence run it as another goroutine.
	go manager.Run()
	r.userManagers[user] = manager
	return manager
}

// newManager creates a prometheus rule manager wrapped with a user id
// configured storage, appendable, notifier, and instrumentation
func (r *DefaultMultiTenantManager) newManager(ctx context.Context, userID string) (RulesManager, error) {
	return r.managerFactory(ctx, userID, r.logger)
}

func (r *DefaultMultiTenantManager) Stop() {
	r.logger.Info("stopping user managers")
	wg := sync.WaitGroup{}
	r.userManagerMtx.Lock()
	for user, manager := range r.userManagers {
		r.logger.Debug("shutting down user  manager", "user", user)
		wg.Add(1)
		go func(manager RulesManager, user string) {
			manager.Stop()
			wg.Done()
			r.logger.Debug("user manager shut down", "user", user)
		}(manager, user)
	}
	wg.Wait()
	r.userManagerMtx.Unlock()
	r.logger.Info("all user managers stopped")
}
