package helpers

import (
	"context"
	"database/sql"
	"time"
)

type backend struct {
	db      *sql.DB
	timeout time.Duration
	life    context.Context
}

// newBudget makes the budget itself, from a root of its own (opentofu's
// getContextWithTimeout): every caller with a context drops it.
func (b *backend) newBudget() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), b.timeout)
}

func (b *backend) Workspaces(ctx context.Context) error {
	bctx, cancel := b.newBudget() // want `\(\*helpers.backend\).newBudget starts a fresh budget, context.WithTimeout\(context.Background\(\), …\), that ignores ctx's deadline and cancellation: the stage can outlive its caller; give \(\*helpers.backend\).newBudget a context parameter, pass ctx and derive the budget from it`
	defer cancel()
	return b.db.PingContext(bctx)
}

func (b *backend) DeleteWorkspace(ctx context.Context, name string) error {
	bctx, cancel := b.newBudget() // want `\(\*helpers.backend\).newBudget starts a fresh budget`
	defer cancel()
	_, err := b.db.ExecContext(bctx, "DELETE FROM ws WHERE name = ?", name)
	return err
}

// lifeBudget derives from the object's own lifecycle context, not a root
// it makes: not a fresh budget of the helper's making.
func (b *backend) lifeBudget() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.life, b.timeout)
}

func (b *backend) Lock(ctx context.Context) error {
	lctx, cancel := b.lifeBudget()
	defer cancel()
	return b.db.PingContext(lctx)
}

// The budget is handed to work that outlives the call: deliberate.
func (b *backend) Refresh(ctx context.Context) {
	bctx, cancel := b.newBudget()
	go func() {
		defer cancel()
		b.db.PingContext(bctx)
	}()
}

// No caller's context in scope: the helper's budget is the only one.
func (b *backend) Startup() error {
	bctx, cancel := b.newBudget()
	defer cancel()
	return b.db.PingContext(bctx)
}

// The budget is made and never waited on.
func (b *backend) Warm(ctx context.Context) {
	_, cancel := b.newBudget()
	cancel()
}

// opBudget is called only where a caller's context is in scope: the fix
// threads it.
func (b *backend) opBudget() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}

func (b *backend) Rename(ctx context.Context, from, to string) error {
	octx, cancel := b.opBudget() // want `\(\*helpers.backend\).opBudget starts a fresh budget, context.WithTimeout\(context.Background\(\), …\), that ignores ctx's deadline`
	defer cancel()
	_, err := b.db.ExecContext(octx, "UPDATE ws SET name = ? WHERE name = ?", to, from)
	return err
}
