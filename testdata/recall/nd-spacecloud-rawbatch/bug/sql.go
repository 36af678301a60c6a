// Recall case nd-spacecloud-rawbatch
// Source: github.com/spacecloud-io/space-cloud commit 05f5313dadef32b963d1347f3b183829db63d925 (modules/crud/sql/raw.go, modules/crud/sql/describe.go)
// Link: https://github.com/spacecloud-io/space-cloud/commit/05f5313dadef32b963d1347f3b183829db63d925
// Bug: SQL.RawBatch and SQL.getDescribeDetails receive ctx but run their statements with the context-less Begin/tx.Exec/Query, so schema-creation and inspection queries ignore the handler's timeout and can block on a stuck database forever.
// Fix: use BeginTx(ctx, &sql.TxOptions{}), tx.ExecContext(ctx, ...) and QueryContext(ctx, ...).
// Rule: nodeadline
package sql

import (
	"context"
	"database/sql"
	"errors"
)

// FieldType stands in for utils.FieldType.
type FieldType struct {
	FieldName    string
	FieldType    string
	FieldNull    string
	FieldKey     string
	FieldDefault sql.NullString
	FieldExtra   sql.NullString
}

// SQL holds the sql db object
type SQL struct {
	enabled    bool
	connection string
	client     *sql.DB
	dbType     string
}

// Init initialises a new sql instance
func Init(dbType string, enabled bool, connection string) (*SQL, error) {
	s := &SQL{enabled: enabled, connection: connection, dbType: dbType}
	if s.enabled {
		db, err := sql.Open(dbType, connection)
		if err != nil {
			return nil, err
		}
		s.client = db
	}
	return s, nil
}

// RawBatch performs a batch operation for schema creation
// NOTE: not to be exposed externally
func (s *SQL) RawBatch(ctx context.Context, queries []string) error {

	// Skip if length of queries == 0
	if len(queries) == 0 {
		return nil
	}

	tx, err := s.client.Begin()
	if err != nil {
		return err
	}
	for _, query := range queries {
		_, err := tx.Exec(query)
		if err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		tx.Rollback()
		return err
	}

	return nil
}

// RawExec performs an operation for schema creation
// NOTE: not to be exposed externally
func (s *SQL) RawExec(ctx context.Context, query string) error {
	_, err := s.client.ExecContext(ctx, query, []interface{}{}...)
	return err
}

// DescribeTable return a description of sql table
// NOTE: not to be exposed externally
func (s *SQL) DescribeTable(ctx context.Context, project, col string) ([]FieldType, error) {
	return s.getDescribeDetails(ctx, project, col)
}

func (s *SQL) getDescribeDetails(ctx context.Context, project, col string) ([]FieldType, error) {
	queryString := ""
	args := []interface{}{}
	if s.dbType == "mysql" {
		queryString = `DESCRIBE ` + project + "." + col
	} else {
		queryString = `SELECT f.attname AS "Field", pg_catalog.format_type(f.atttypid,f.atttypmod) AS "Type",
		CASE WHEN f.attnotnull = 't' THEN 'NO' ELSE 'YES' END AS "Null", '' AS "Key", NULL AS "Default", NULL AS "Extra"
	FROM pg_attribute f JOIN pg_class c ON c.oid = f.attrelid LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind = 'r'::char AND c.relname = $1 AND n.nspname = $2 AND f.attnum > 0`
		args = append(args, col, project)
	}
	rows, err := s.client.Query(queryString, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	result := []FieldType{}
	count := 0
	for rows.Next() {
		count++
		fieldType := new(FieldType)

		if err := rows.Scan(&fieldType.FieldName, &fieldType.FieldType, &fieldType.FieldNull, &fieldType.FieldKey, &fieldType.FieldDefault, &fieldType.FieldExtra); err != nil {
			return nil, err
		}

		result = append(result, *fieldType)
	}
	if count == 0 {
		return result, errors.New(s.dbType + ":" + col + " not found during inspection")
	}
	return result, nil
}
