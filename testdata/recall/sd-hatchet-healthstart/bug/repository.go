// Recall case sd-hatchet-healthstart
// Source: github.com/hatchet-dev/hatchet commit 8ca4b6130ce72defc41243d1f797ba6db0223bb6 (pkg/repository/postgres/health.go)
// Link: https://github.com/hatchet-dev/hatchet/commit/8ca4b6130ce72defc41243d1f797ba6db0223bb6
// Bug: Health.Start creates one ctx with context.WithTimeout(context.Background(), 3s) (and cancels it when Start returns) and the /live and /ready handlers run the DB health query under that shared budget instead of the request context, so probes ignore r.Context() and fail once that one budget is gone.
// Fix: each handler derives its own budget with context.WithTimeout(r.Context(), 3*time.Second).
// Rule: sharedeadline
package health

// Minimal stand-ins for the hatchet repository / message queue interfaces and
// the postgres health repository (pkg/repository/postgres/health.go).

import (
	"context"
	"database/sql"
)

type HealthRepository interface {
	IsHealthy(ctx context.Context) bool
}

type EngineRepository interface {
	Health() HealthRepository
}

type MessageQueue interface {
	IsReady() bool
}

type healthEngineRepository struct {
	pool *sql.DB
}

func NewHealthEngineRepository(pool *sql.DB) HealthRepository {
	return &healthEngineRepository{pool: pool}
}

func (a *healthEngineRepository) IsHealthy(ctx context.Context) bool {
	var one int
	err := a.pool.QueryRowContext(ctx, "SELECT 1").Scan(&one)

	if err != nil { //nolint:gosimple
		return false
	}

	return true
}
