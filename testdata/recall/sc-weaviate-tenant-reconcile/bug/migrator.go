// Recall case sc-weaviate-tenant-reconcile
// Source: github.com/weaviate/weaviate commit 62751c669724ba49d09a866dceaa62c619e8cbca (adapters/repos/db/migrator.go)
// Link: https://github.com/weaviate/weaviate/commit/62751c669724ba49d09a866dceaa62c619e8cbca
// Bug: Migrator.updateIndexTenantsStatus breaks out of the tenant loop when ctx.Err() != nil but returns only the per-tenant errors, so a cancelled ctx after a tenant that was already in the wanted state (nil error) is reported as success while the remaining tenants were never reconciled
// Fix: on ctx.Err() != nil add the ctx error (ec.AddWrapf(ctxErr, "reconcile tenants of index %s", ...)) unless err already is it, then break
// Rule: swallowcancel
package db

import (
	"context"
	"errors"
	"fmt"
)

// Reduced from adapters/repos/db/migrator.go (updateIndexTenants, updateIndexTenantsStatus,
// updateIndexDeleteTenants); the cloud-offload delete is cut.

const maxReportedErrors = 10

const TenantActivityStatusHOT = "HOT"

// Physical is the per-shard entry of a sharding state.
type Physical struct {
	Name           string
	BelongsToNodes []string
	Status         string
}

// IsLocalShard reports whether the shard is owned by nodeName.
func (p Physical) IsLocalShard(nodeName string) bool {
	for _, n := range p.BelongsToNodes {
		if n == nodeName {
			return true
		}
	}
	return false
}

// State is the sharding state of a class (usecases/sharding.State).
type State struct {
	Physical map[string]Physical
}

type schemaGetter interface {
	NodeName() string
}

// DB is the subset of the db used by the migrator.
type DB struct {
	schemaGetter schemaGetter
}

// Migrator applies schema changes to the local indexes.
type Migrator struct {
	db *DB
}

func (m *Migrator) updateIndexTenants(ctx context.Context, idx *Index,
	incomingSS *State,
) error {
	// the delete runs even when the status update fails: the status update only
	// touches tenants incomingSS lists and the delete only tenants it omits, and
	// skipping the delete leaves a tenant dropped from the schema on disk
	ec := newErrorCompounder()
	ec.Add(m.updateIndexTenantsStatus(ctx, idx, incomingSS))
	ec.Add(m.updateIndexDeleteTenants(ctx, idx, incomingSS))
	return ec.ToError()
}

func (m *Migrator) updateIndexTenantsStatus(ctx context.Context, idx *Index,
	incomingSS *State,
) error {
	nodeName := m.db.schemaGetter.NodeName()

	// one tenant's failure must not skip the rest: Physical iterates in map
	// order, so which tenants were reconciled would otherwise vary per run
	ec := newErrorCompounder()
	for shardName, phys := range incomingSS.Physical {
		if !phys.IsLocalShard(nodeName) {
			continue
		}

		var err error
		if phys.Status == TenantActivityStatusHOT {
			// Only load the tenant if activity status == HOT.
			err = idx.LoadLocalShard(ctx, shardName, false)
			ec.AddWrapf(err, "add missing tenant shard %s during update index", shardName)
		} else {
			// Shutdown the tenant if activity status != HOT
			err = idx.UnloadLocalShard(ctx, shardName)
			ec.AddWrapf(err, "shutdown tenant shard %s during update index", shardName)
		}

		// a shut index or a dead context fails every tenant that is left, so
		// carrying on only compounds the same error once per tenant
		if errors.Is(err, errAlreadyShutdown) || ctx.Err() != nil {
			break
		}
	}
	return ec.ToErrorLimited(maxReportedErrors)
}

func (m *Migrator) updateIndexDeleteTenants(ctx context.Context,
	idx *Index, incomingSS *State,
) error {
	var toRemove []string

	idx.ForEachShard(func(name string, _ *Shard) error {
		if _, ok := incomingSS.Physical[name]; !ok {
			toRemove = append(toRemove, name)
		}
		return nil
	})

	if len(toRemove) == 0 {
		return nil
	}

	if err := idx.dropShards(toRemove); err != nil {
		return fmt.Errorf("drop tenant shards %v during update index: %w", toRemove, err)
	}
	return nil
}
