// Recall case nd-transfer-sweepquery
// Source: github.com/artie-labs/transfer commit f836e9b8968a69b9ad4f6ed313cb446734b85151 (lib/destination/destination.go)
// Link: https://github.com/artie-labs/transfer/commit/f836e9b8968a69b9ad4f6ed313cb446734b85151
// Bug: SweepTemporaryTables discards its ctx and shared.Sweep lists dangling temporary tables with dest.Query (database/sql Query without a context), so the information_schema query against the warehouse cannot be cancelled or time out.
// Fix: The ctx is threaded through SweepTemporaryTables into Sweep, which now calls dest.QueryContext(ctx, ...), a new method on the Store/Destination interfaces backed by sql.DB.QueryContext.
// Rule: nodeadline
package shared

import (
	"context"
	"database/sql"
	"fmt"
)

// TopicConfig is the subset of kafkalib.TopicConfig used by the sweeper.
type TopicConfig struct {
	Database string
	Schema   string
}

// TableIdentifier names a table in the destination.
type TableIdentifier struct {
	Schema string
	Table  string
}

func (t TableIdentifier) FullyQualifiedName() string {
	return fmt.Sprintf("%q.%q", t.Schema, t.Table)
}

type Destination interface {
	Exec(query string, args ...any) (sql.Result, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(query string, args ...any) (*sql.Rows, error)

	// Helper functions for merge
	IdentifierFor(topicConfig TopicConfig, table string) TableIdentifier
	SweepTemporaryTables(ctx context.Context) error
}
