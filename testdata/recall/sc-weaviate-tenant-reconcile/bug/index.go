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
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Reduced stand-ins for Index / Shard (adapters/repos/db/index.go, shard.go) and
// entities/errorcompounder. LoadLocalShard of an already-loaded shard and
// UnloadLocalShard of an absent shard return nil without looking at ctx, as upstream.

var errAlreadyShutdown = errors.New("already shut or dropped")

// Shard is a loaded tenant shard.
type Shard struct {
	name string
	path string
}

// Shutdown flushes and closes the shard; it gives up when ctx is done.
func (s *Shard) Shutdown(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("shutdown shard %q: %w", s.name, err)
	}
	return nil
}

// Index is a class index holding its local shards.
type Index struct {
	id       string
	rootPath string

	closeLock sync.RWMutex
	closed    bool

	shardsLock sync.Mutex
	shards     map[string]*Shard
}

func (i *Index) ID() string {
	return i.id
}

// LoadLocalShard initialises the named local shard unless it is already loaded.
func (i *Index) LoadLocalShard(ctx context.Context, shardName string, implicitShardLoading bool) error {
	i.closeLock.RLock()
	defer i.closeLock.RUnlock()

	if i.closed {
		return errAlreadyShutdown
	}

	i.shardsLock.Lock()
	defer i.shardsLock.Unlock()

	// check if created in the meantime by concurrent call
	if _, ok := i.shards[shardName]; ok {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("init shard %q: %w", shardName, err)
	}
	path := filepath.Join(i.rootPath, shardName)
	if err := os.MkdirAll(path, 0o755); err != nil {
		return fmt.Errorf("init shard %q: %w", shardName, err)
	}
	i.shards[shardName] = &Shard{name: shardName, path: path}
	return nil
}

// UnloadLocalShard shuts the named local shard down, if loaded.
func (i *Index) UnloadLocalShard(ctx context.Context, shardName string) error {
	i.closeLock.RLock()
	defer i.closeLock.RUnlock()

	if i.closed {
		return errAlreadyShutdown
	}

	i.shardsLock.Lock()
	shard, ok := i.shards[shardName]
	delete(i.shards, shardName)
	i.shardsLock.Unlock()
	if !ok {
		return nil // shard was not found, nothing to unload
	}

	if err := shard.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown shard %q: %w", shardName, err)
	}
	return nil
}

// ForEachShard calls f for every loaded shard.
func (i *Index) ForEachShard(f func(name string, shard *Shard) error) error {
	i.shardsLock.Lock()
	shards := make(map[string]*Shard, len(i.shards))
	for name, s := range i.shards {
		shards[name] = s
	}
	i.shardsLock.Unlock()

	for name, s := range shards {
		if err := f(name, s); err != nil {
			return err
		}
	}
	return nil
}

func (i *Index) dropShards(names []string) error {
	i.shardsLock.Lock()
	defer i.shardsLock.Unlock()

	for _, name := range names {
		delete(i.shards, name)
		if err := os.RemoveAll(filepath.Join(i.rootPath, name)); err != nil {
			return err
		}
	}
	return nil
}

// errorCompounder collects errors (entities/errorcompounder).
type errorCompounder struct {
	errs []error
}

func newErrorCompounder() *errorCompounder {
	return &errorCompounder{}
}

func (ec *errorCompounder) Add(err error) {
	if err != nil {
		ec.errs = append(ec.errs, err)
	}
}

func (ec *errorCompounder) AddWrapf(err error, format string, a ...any) {
	if err != nil {
		ec.errs = append(ec.errs, fmt.Errorf("%s: %w", fmt.Sprintf(format, a...), err))
	}
}

func (ec *errorCompounder) ToError() error {
	return ec.ToErrorLimited(len(ec.errs))
}

func (ec *errorCompounder) ToErrorLimited(limit int) error {
	if len(ec.errs) == 0 {
		return nil
	}
	if len(ec.errs) == 1 {
		return ec.errs[0]
	}
	errs := ec.errs
	if limit < len(errs) {
		errs = errs[:limit]
	}
	msgs := make([]string, 0, len(errs))
	for _, err := range errs {
		msgs = append(msgs, err.Error())
	}
	return errors.Join(errors.New(strings.Join(msgs, ", ")), errors.Join(errs...))
}
