package patterns

import (
	"context"
	"database/sql"
	"log"
	"time"
)

// A worker loop with no way out (indigo's resync worker): another call
// given ctx (a readiness wait that returns nothing, a step whose error is
// only logged) cannot stop it, so once ctx is done the claim fails at once
// on every round, forever.
type gate struct{ ready chan struct{} }

func (g *gate) waitReady(ctx context.Context) {
	select {
	case <-g.ready:
	case <-ctx.Done():
	}
}

func claimJob(ctx context.Context, db *sql.DB) (string, error) {
	var id string
	err := db.QueryRowContext(ctx, "SELECT id FROM jobs LIMIT 1").Scan(&id)
	return id, err
}

func processJob(ctx context.Context, db *sql.DB, id string) error {
	_, err := db.ExecContext(ctx, "UPDATE jobs SET done = true WHERE id = ?", id)
	return err
}

func resyncWorker(ctx context.Context, g *gate, db *sql.DB) {
	for {
		g.waitReady(ctx)
		id, err := claimJob(ctx, db)
		if err != nil {
			log.Printf("claim: %v", err)
			time.Sleep(time.Second) // want `retrying after err, which may be a context cancellation \(from patterns.claimJob, which passes ctx to \(\*sql.DB\).QueryRowContext\), without checking the context: once it is done every attempt fails at once and the loop never ends`
			continue
		}
		if err := processJob(ctx, db, id); err != nil {
			log.Printf("process %s: %v", id, err)
		}
	}
}

// Negatives.

// The fix: the loop looks at ctx before each claim.
func resyncWorkerFixed(ctx context.Context, g *gate, db *sql.DB) {
	for {
		select {
		case <-ctx.Done():
			return
		default:
		}
		g.waitReady(ctx)
		id, err := claimJob(ctx, db)
		if err != nil {
			log.Printf("claim: %v", err)
			time.Sleep(time.Second)
			continue
		}
		if err := processJob(ctx, db, id); err != nil {
			log.Printf("process %s: %v", id, err)
		}
	}
}

// A loop with a way out: a wait given the same ctx starts every round and
// returns its error, which ends the loop once ctx is done.
func (g *gate) waitReadyErr(ctx context.Context) error {
	select {
	case <-g.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func resyncWorkerStops(ctx context.Context, g *gate, db *sql.DB) error {
	for {
		if err := g.waitReadyErr(ctx); err != nil {
			return err
		}
		id, err := claimJob(ctx, db)
		if err != nil {
			log.Printf("claim: %v", err)
			time.Sleep(time.Second)
			continue
		}
		if err := processJob(ctx, db, id); err != nil {
			log.Printf("process %s: %v", id, err)
		}
	}
}
