// Recall case nd-transfer-sweepquery
// Source: github.com/artie-labs/transfer commit f836e9b8968a69b9ad4f6ed313cb446734b85151 (clients/redshift/redshift.go)
// Link: https://github.com/artie-labs/transfer/commit/f836e9b8968a69b9ad4f6ed313cb446734b85151
// Bug: SweepTemporaryTables discards its ctx and shared.Sweep lists dangling temporary tables with dest.Query (database/sql Query without a context), so the information_schema query against the warehouse cannot be cancelled or time out.
// Fix: The ctx is threaded through SweepTemporaryTables into Sweep, which now calls dest.QueryContext(ctx, ...), a new method on the Store/Destination interfaces backed by sql.DB.QueryContext.
// Rule: nodeadline
package shared

import (
	"context"
)

// RedshiftStore mirrors clients/redshift.Store.
type RedshiftStore struct {
	topicConfigs []*TopicConfig
	Store
}

func (s *RedshiftStore) IdentifierFor(topicConfig TopicConfig, table string) TableIdentifier {
	return TableIdentifier{Schema: topicConfig.Schema, Table: table}
}

func buildSweepQuery(_ string, schemaName string) (string, []any) {
	return `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name ILIKE $2`,
		[]any{schemaName, "%" + tempTableMarker + "%"}
}

func (s *RedshiftStore) SweepTemporaryTables(_ context.Context) error {
	return Sweep(s, s.topicConfigs, buildSweepQuery)
}
