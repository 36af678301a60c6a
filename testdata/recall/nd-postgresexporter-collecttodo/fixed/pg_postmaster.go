// Recall case nd-postgresexporter-collecttodo
// Source: github.com/prometheus-community/postgres_exporter commit 73a157ed0ed430bd6328e5a0984de7b81095877b (collector/pg_postmaster.go)
// Link: https://github.com/prometheus-community/postgres_exporter/commit/73a157ed0ed430bd6328e5a0984de7b81095877b
// Bug: PostgresCollector.Collect runs every collector's database queries with context.TODO(), so a slow or hung PostgreSQL server blocks the scrape (and holds a connection) forever.
// Fix: the collection now runs under context.WithTimeout(context.Background(), p.CollectionTimeout) in collectFromConnection.
// Rule: nodeadline
package collector

import (
	"context"
	"database/sql"
)

type PGPostmasterCollector struct {
}

func NewPGPostmasterCollector() (Collector, error) {
	return &PGPostmasterCollector{}, nil
}

var pgPostmasterQuery = "SELECT extract(epoch from pg_postmaster_start_time) from pg_postmaster_start_time();"

func (c *PGPostmasterCollector) Update(ctx context.Context, instance *instance, ch chan<- Metric) error {
	db := instance.getDB()
	row := db.QueryRowContext(ctx,
		pgPostmasterQuery)

	var startTimeSeconds sql.NullFloat64
	err := row.Scan(&startTimeSeconds)
	if err != nil {
		return err
	}
	startTimeSecondsMetric := 0.0
	if startTimeSeconds.Valid {
		startTimeSecondsMetric = startTimeSeconds.Float64
	}
	ch <- Metric{Name: "pg_postmaster_start_time_seconds", Value: startTimeSecondsMetric}
	return nil
}
