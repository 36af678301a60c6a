// Recall case nd-postgresexporter-collecttodo
// Source: github.com/prometheus-community/postgres_exporter commit 73a157ed0ed430bd6328e5a0984de7b81095877b (collector/collector.go)
// Link: https://github.com/prometheus-community/postgres_exporter/commit/73a157ed0ed430bd6328e5a0984de7b81095877b
// Bug: PostgresCollector.Collect runs every collector's database queries with context.TODO(), so a slow or hung PostgreSQL server blocks the scrape (and holds a connection) forever.
// Fix: the collection now runs under context.WithTimeout(context.Background(), p.CollectionTimeout) in collectFromConnection.
// Rule: nodeadline
package collector

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Metric stands in for prometheus.Metric.
type Metric struct {
	Name   string
	Value  float64
	Labels []string
}

type Collector interface {
	Update(ctx context.Context, instance *instance, ch chan<- Metric) error
}

// PostgresCollector implements the prometheus.Collector interface.
type PostgresCollector struct {
	Collectors map[string]Collector
	logger     *slog.Logger

	instance          *instance
	CollectionTimeout time.Duration
}

type Option func(*PostgresCollector) error

// NewPostgresCollector creates a new PostgresCollector.
func NewPostgresCollector(logger *slog.Logger, dsn string, collectors map[string]Collector, options ...Option) (*PostgresCollector, error) {
	p := &PostgresCollector{
		logger: logger,
	}
	// Apply options to customize the collector
	for _, o := range options {
		err := o(p)
		if err != nil {
			return nil, err
		}
	}
	p.Collectors = collectors

	if dsn == "" {
		return nil, errors.New("empty dsn")
	}

	instance, err := newInstance(dsn)
	if err != nil {
		return nil, err
	}
	p.instance = instance

	return p, nil
}

func WithCollectionTimeout(s string) Option {
	return func(e *PostgresCollector) error {
		duration, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		if duration < 1*time.Millisecond {
			return errors.New("timeout must be greater than 1ms")
		}
		e.CollectionTimeout = duration
		return nil
	}
}

// Collect implements the prometheus.Collector interface.
func (p PostgresCollector) Collect(ch chan<- Metric) {
	// copy the instance so that concurrent scrapes have independent instances
	inst := p.instance.copy()

	// Set up the database connection for the collector.
	err := inst.setup()
	defer inst.Close()
	if err != nil {
		p.logger.Error("Error opening connection to database", "err", err)
		return
	}
	p.collectFromConnection(inst, ch)
}

func (p PostgresCollector) collectFromConnection(inst *instance, ch chan<- Metric) {
	// Eventually, connect this to the http scraping context
	ctx, cancel := context.WithTimeout(context.Background(), p.CollectionTimeout)
	defer cancel()

	wg := sync.WaitGroup{}
	wg.Add(len(p.Collectors))
	for name, c := range p.Collectors {
		go func(name string, c Collector) {
			execute(ctx, name, c, inst, ch, p.logger)
			wg.Done()
		}(name, c)
	}
	wg.Wait()
}

func (p *PostgresCollector) Close() error {
	return p.instance.Close()
}

func execute(ctx context.Context, name string, c Collector, instance *instance, ch chan<- Metric, logger *slog.Logger) {
	begin := time.Now()
	err := c.Update(ctx, instance, ch)
	duration := time.Since(begin)
	var success float64

	if err != nil {
		logger.Error("collector failed", "name", name, "duration_seconds", duration.Seconds(), "err", err)
		success = 0
	} else {
		logger.Debug("collector succeeded", "name", name, "duration_seconds", duration.Seconds())
		success = 1
	}
	ch <- Metric{Name: "pg_scrape_collector_duration_seconds", Value: duration.Seconds(), Labels: []string{name}}
	ch <- Metric{Name: "pg_scrape_collector_success", Value: success, Labels: []string{name}}
}
