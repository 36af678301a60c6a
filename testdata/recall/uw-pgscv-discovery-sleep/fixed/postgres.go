// Recall case uw-pgscv-discovery-sleep
// Source: github.com/cherts/pgscv commit 8eac5d4352b5e9c9724ab6669b99aab3c10d0d03 (internal/discovery/service/postgres.go)
// Link: https://github.com/cherts/pgscv/commit/8eac5d4352b5e9c9724ab6669b99aab3c10d0d03
// Bug: PostgresDiscovery.Start polls ctx.Done() in a select whose default branch does time.Sleep(refreshInterval), so cancellation is only noticed after the full refresh interval.
// Fix: Replace the default/time.Sleep branch with case <-time.After(refreshInterval) in the same select as ctx.Done().
// Rule: uncancellablewait
package service

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"sync"
	"time"
)

type postgresConfig struct {
	ConnInfo        string
	RefreshInterval int
}

// PostgresDiscovery is main struct for Postgres discoverer
type PostgresDiscovery struct {
	sync.RWMutex
	id     string
	config postgresConfig

	db *sql.DB
}

// Start implementation Start method of Discovery interface
func (p *PostgresDiscovery) Start(ctx context.Context, errCh chan<- error) error {
	refreshInterval := time.Duration(p.config.RefreshInterval) * time.Second
	if refreshInterval == 0 {
		refreshInterval = 10 * time.Second
	}
	for {
		err := p.sync(ctx)
		if err != nil {
			log.Printf("[Postgres:%s SD] Failed to sync, error: %s", p.id, err.Error())

			errCh <- err
		}
		select {
		case <-ctx.Done():
			log.Printf("[Postgres:%s SD] Context done.", p.id)

			return nil
		case <-time.After(refreshInterval):
		}
	}
}

func (p *PostgresDiscovery) sync(ctx context.Context) error {
	p.Lock()
	defer p.Unlock()
	err := p.ensureDB()
	if err != nil {
		return err
	}
	dbs, err := databases(ctx, p.db)
	if err != nil {
		log.Printf("[Postgres:%s SD] Failed to sync databases, error: %v", p.id, err)

		return nil
	}
	_ = dbs
	return nil
}

func (p *PostgresDiscovery) ensureDB() error {
	if p.db != nil {
		return nil
	}
	db, err := sql.Open("pgx", p.config.ConnInfo)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	p.db = db
	return nil
}

// databases is a stand-in for store.Databases.
func databases(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT datname FROM pg_database WHERE NOT datistemplate")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}
