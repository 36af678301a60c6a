// Recall case nd-postgresexporter-collecttodo
// Source: github.com/prometheus-community/postgres_exporter commit 73a157ed0ed430bd6328e5a0984de7b81095877b (collector/instance.go)
// Link: https://github.com/prometheus-community/postgres_exporter/commit/73a157ed0ed430bd6328e5a0984de7b81095877b
// Bug: PostgresCollector.Collect runs every collector's database queries with context.TODO(), so a slow or hung PostgreSQL server blocks the scrape (and holds a connection) forever.
// Fix: the collection now runs under context.WithTimeout(context.Background(), p.CollectionTimeout) in collectFromConnection.
// Rule: nodeadline
package collector

import (
	"database/sql"
)

type instance struct {
	dsn string
	db  *sql.DB
}

func newInstance(dsn string) (*instance, error) {
	i := &instance{
		dsn: dsn,
	}

	// "Create" a database handle to verify the DSN provided is valid.
	// Open is not guaranteed to create a connection.
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	db.Close()

	return i, nil
}

// copy returns a copy of the instance.
func (i *instance) copy() *instance {
	return &instance{
		dsn: i.dsn,
	}
}

func (i *instance) setup() error {
	db, err := sql.Open("postgres", i.dsn)
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	i.db = db
	return nil
}

func (i *instance) getDB() *sql.DB {
	return i.db
}

func (i *instance) Close() error {
	return i.db.Close()
}
