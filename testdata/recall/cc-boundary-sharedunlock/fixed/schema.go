// Recall case cc-boundary-sharedunlock
// Source: github.com/hashicorp/boundary commit 568594d1b34135f0ad84c9e7017b6cf2e27c99be (internal/cmd/commands/server/server.go)
// Link: https://github.com/hashicorp/boundary/commit/568594d1b34135f0ad84c9e7017b6cf2e27c99be
// Bug: Command.Run defers sMan.SharedUnlock(c.Context), but c.Context is cancelled when ShutdownCh closes, so on shutdown the pg_advisory_unlock_shared ExecContext runs with an already-cancelled context and the lock is never released.
// Fix: the deferred SharedUnlock uses a fresh context.WithTimeout(context.Background(), 1*time.Second) instead of the cancelled base context.
// Rule: cleanupctx
package boundary

import (
	"context"
	"database/sql"
	"fmt"
)

// schemaAccessLockId is a Lock key used to ensure a single boundary binary is operating
// on a postgres server at a time.
const schemaAccessLockId int64 = 3865661975

// Postgres is the reduced internal/db/schema/postgres driver.
type Postgres struct {
	// Locking and unlocking need to use the same connection
	conn *sql.Conn
	db   *sql.DB
}

// newPostgres returns a postgres pointer holding a dedicated connection.
func newPostgres(ctx context.Context, instance *sql.DB) (*Postgres, error) {
	conn, err := instance.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &Postgres{conn: conn, db: instance}, nil
}

// TrySharedLock attempts to capture a shared lock. If it is not successful it returns an error.
func (p *Postgres) TrySharedLock(ctx context.Context) error {
	const query = "select pg_try_advisory_lock_shared($1)"
	r := p.conn.QueryRowContext(ctx, query, schemaAccessLockId)
	if r.Err() != nil {
		return r.Err()
	}
	var gotLock bool
	if err := r.Scan(&gotLock); err != nil {
		return err
	}
	if !gotLock {
		return fmt.Errorf("postgres.(Postgres).TrySharedLock: Lock failed")
	}
	return nil
}

// UnlockShared calls pg_advisory_unlock_shared and returns an error if we were unable to
// release the lock before the context cancels.
func (p *Postgres) UnlockShared(ctx context.Context) error {
	const query = "select pg_advisory_unlock_shared($1)"
	if _, err := p.conn.ExecContext(ctx, query, schemaAccessLockId); err != nil {
		return err
	}
	return nil
}

// Manager is the reduced schema.Manager.
type Manager struct {
	db     *sql.DB
	driver *Postgres
}

// NewManager creates a new schema manager.
func NewManager(ctx context.Context, dialect string, db *sql.DB) (*Manager, error) {
	if dialect != "postgres" {
		return nil, fmt.Errorf("unknown dialect %q", dialect)
	}
	d, err := newPostgres(ctx, db)
	if err != nil {
		return nil, err
	}
	return &Manager{db: db, driver: d}, nil
}

// SharedLock attempts to obtain a shared lock on the database.
func (b *Manager) SharedLock(ctx context.Context) error {
	if err := b.driver.TrySharedLock(ctx); err != nil {
		return fmt.Errorf("schema.(Manager).SharedLock: %w", err)
	}
	return nil
}

// SharedUnlock releases a shared lock on the database.
func (b *Manager) SharedUnlock(ctx context.Context) error {
	if err := b.driver.UnlockShared(ctx); err != nil {
		return fmt.Errorf("schema.(Manager).SharedUnlock: %w", err)
	}
	return nil
}
