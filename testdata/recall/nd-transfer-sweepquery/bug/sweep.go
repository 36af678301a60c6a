// Recall case nd-transfer-sweepquery
// Source: github.com/artie-labs/transfer commit f836e9b8968a69b9ad4f6ed313cb446734b85151 (clients/shared/sweep.go)
// Link: https://github.com/artie-labs/transfer/commit/f836e9b8968a69b9ad4f6ed313cb446734b85151
// Bug: SweepTemporaryTables discards its ctx and shared.Sweep lists dangling temporary tables with dest.Query (database/sql Query without a context), so the information_schema query against the warehouse cannot be cancelled or time out.
// Fix: The ctx is threaded through SweepTemporaryTables into Sweep, which now calls dest.QueryContext(ctx, ...), a new method on the Store/Destination interfaces backed by sql.DB.QueryContext.
// Rule: nodeadline
package shared

import (
	"log/slog"
	"strings"
)

type GetQueryFunc func(dbName string, schemaName string) (string, []any)

const tempTableMarker = "___artie_"

// ShouldDeleteFromName mirrors ddl.ShouldDeleteFromName.
func ShouldDeleteFromName(name string) bool {
	return strings.Contains(strings.ToLower(name), tempTableMarker)
}

// DropTemporaryTable mirrors ddl.DropTemporaryTable.
func DropTemporaryTable(dest Destination, tableID TableIdentifier, shouldReturnError bool) error {
	if _, err := dest.Exec("DROP TABLE IF EXISTS " + tableID.FullyQualifiedName()); err != nil {
		slog.Warn("Failed to drop temporary table", slog.Any("err", err))
		if shouldReturnError {
			return err
		}
	}
	return nil
}

func Sweep(dest Destination, topicConfigs []*TopicConfig, getQueryFunc GetQueryFunc) error {
	slog.Info("Looking to see if there are any dangling artie temporary tables to delete...")
	for _, topicConfig := range topicConfigs {
		query, args := getQueryFunc(topicConfig.Database, topicConfig.Schema)
		rows, err := dest.Query(query, args...)
		if err != nil {
			return err
		}

		for rows != nil && rows.Next() {
			var tableSchema, tableName string
			err = rows.Scan(&tableSchema, &tableName)
			if err != nil {
				return err
			}

			if ShouldDeleteFromName(tableName) {
				err = DropTemporaryTable(dest, dest.IdentifierFor(*topicConfig, tableName), true)
				if err != nil {
					return err
				}
			}
		}
	}

	return nil
}
