// Recall case cc-ncps-writelock
// Source: github.com/kalbasit/ncps commit 9031dd862a51f4afba2f35864f19f74c7c805268 (pkg/cache/cache.go)
// Link: https://github.com/kalbasit/ncps/commit/9031dd862a51f4afba2f35864f19f74c7c805268
// Bug: withWriteLock releases the distributed lock in a defer with the request ctx; if the request was cancelled while fn ran, Unlock's pg_advisory_unlock query fails on the cancelled ctx and the lock stays held until the connection/TTL expires.
// Fix: the deferred Unlock is given context.WithoutCancel(ctx).
// Rule: cleanupctx
package cache

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"io"
	"log"
	"sync"
	"time"
)

// Locker provides exclusive locking semantics (pkg/lock).
type Locker interface {
	Lock(ctx context.Context, key string, ttl time.Duration) error
	Unlock(ctx context.Context, key string) error
}

// PgLocker implements Locker using PostgreSQL advisory locks (pkg/lock/postgres).
type PgLocker struct {
	db          *sql.DB
	keyPrefix   string
	connections map[string]*sql.Conn
	connMu      sync.Mutex
}

func NewPgLocker(db *sql.DB, keyPrefix string) *PgLocker {
	return &PgLocker{db: db, keyPrefix: keyPrefix, connections: make(map[string]*sql.Conn)}
}

func (l *PgLocker) hashKey(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(l.keyPrefix + key))
	return int64(h.Sum64())
}

func (l *PgLocker) Lock(ctx context.Context, key string, ttl time.Duration) error {
	lockID := l.hashKey(key)

	conn, err := l.db.Conn(ctx)
	if err != nil {
		return err
	}

	var lockResult bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", lockID).Scan(&lockResult); err != nil {
		_ = conn.Close()
		return err
	}
	if !lockResult {
		_ = conn.Close()
		return fmt.Errorf("lock %s is held by someone else", key)
	}

	l.connMu.Lock()
	l.connections[key] = conn
	l.connMu.Unlock()

	return nil
}

func (l *PgLocker) Unlock(ctx context.Context, key string) error {
	lockID := l.hashKey(key)

	l.connMu.Lock()
	conn, ok := l.connections[key]
	if ok {
		delete(l.connections, key)
	}
	l.connMu.Unlock()

	if !ok {
		return nil
	}

	var unlockResult bool
	err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1)", lockID).Scan(&unlockResult)

	// Always close the connection, even if unlock failed
	_ = conn.Close()

	if err != nil {
		log.Printf("failed to release PostgreSQL advisory lock %s: %v", key, err)
		return nil
	}

	return nil
}

// Cache represents the main cache service.
type Cache struct {
	db           *sql.DB
	cacheLocker  Locker
	cacheLockTTL time.Duration
}

func narInfoLockKey(hash string) string { return "narinfo:" + hash }

// PutNarInfo stores a narinfo under a hash-specific write lock.
func (c *Cache) PutNarInfo(ctx context.Context, hash string, r io.ReadCloser) error {
	defer func() {
		//nolint:errcheck
		io.Copy(io.Discard, r)

		r.Close()
	}()

	// Use hash-specific lock to prevent concurrent writes of the same narinfo
	return c.withWriteLock(ctx, "PutNarInfo", narInfoLockKey(hash), func() error {
		body, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("error parsing narinfo: %w", err)
		}

		if err := c.storeInDatabase(ctx, hash, body); err != nil {
			return fmt.Errorf("error storing in database: %w", err)
		}

		return nil
	})
}

func (c *Cache) storeInDatabase(ctx context.Context, hash string, body []byte) error {
	_, err := c.db.ExecContext(ctx, "INSERT INTO narinfos (hash, body) VALUES ($1, $2)", hash, body)
	return err
}

// withWriteLock executes fn while holding a write lock with the specified key.
// It automatically handles lock acquisition, release, and error logging.
func (c *Cache) withWriteLock(ctx context.Context, operation string, lockKey string, fn func() error) error {
	if err := c.cacheLocker.Lock(ctx, lockKey, c.cacheLockTTL); err != nil {
		log.Printf("%s: failed to acquire write lock %s: %v", operation, lockKey, err)

		return fmt.Errorf("failed to acquire write lock for %s: %w", operation, err)
	}

	defer func() {
		if err := c.cacheLocker.Unlock(context.WithoutCancel(ctx), lockKey); err != nil {
			log.Printf("%s: failed to release write lock %s: %v", operation, lockKey, err)
		}
	}()

	return fn()
}
