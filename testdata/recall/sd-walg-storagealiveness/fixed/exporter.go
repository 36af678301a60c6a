// Recall case sd-walg-storagealiveness
// Source: github.com/wal-g/wal-g commit f69c4bd29cb362dc7ce8d6a1f74a547e14653b0c (cmd/pg/exporter/exporter.go)
// Link: https://github.com/wal-g/wal-g/commit/f69c4bd29cb362dc7ce8d6a1f74a547e14653b0c
// Bug: WalgExporter.Start(ctx) calls checkStorageAliveness, which gives the `wal-g st check read` subprocess a fresh 10s budget from context.Background(), so cancelling the exporter ctx does not stop a running storage check.
// Fix: checkStorageAliveness takes the ctx from Start and derives its 10s timeout from it (context.WithTimeout(ctx, 10*time.Second)).
// Rule: sharedeadline
package exporter

import (
	"context"
	"log/slog"
	"os/exec"
	"time"
)

// gauge stands in for prometheus.Gauge.
type gauge struct{ v float64 }

func (g *gauge) Set(v float64) { g.v = v }

// counterVec stands in for *prometheus.CounterVec.
type counterVec struct{ m map[[2]string]int }

func (c *counterVec) Inc(a, b string) {
	if c.m == nil {
		c.m = map[[2]string]int{}
	}
	c.m[[2]string{a, b}]++
}

// WalgExporter implements the Prometheus Collector interface
type WalgExporter struct {
	logger         *slog.Logger
	walgPath       string
	walgConfigPath string

	storageScrapeInterval time.Duration

	errors *counterVec

	// Storage aliveness metrics
	storageAlive   *gauge
	storageLatency *gauge
}

// Start begins the metrics collection loop
func (e *WalgExporter) Start(ctx context.Context) {
	tickerStorage := time.NewTicker(e.storageScrapeInterval)
	defer tickerStorage.Stop()

	// Initial scrape
	e.checkStorageAliveness(ctx)

	e.logger.Info("Initial WAL-G metrics scrape completed; starting periodic collection")
	for {
		select {
		case <-ctx.Done():
			e.logger.Info("Exporter context canceled, stopping metrics collection")
			return
		case <-tickerStorage.C:
			e.checkStorageAliveness(ctx)
		}
	}
}

// checkStorageAliveness checks if the storage backend is accessible
func (e *WalgExporter) checkStorageAliveness(ctx context.Context) {
	start := time.Now()

	// Set a reasonable timeout for storage check
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()

	// Try a simple WAL-G command to test storage connectivity
	args := []string{"st", "check", "read"}
	if e.walgConfigPath != "" {
		args = append(args, "--config", e.walgConfigPath)
	}
	cmd := exec.CommandContext(ctx, e.walgPath, args...)

	err := cmd.Run()
	latency := time.Since(start).Seconds()

	// Set latency regardless of success/failure
	e.storageLatency.Set(latency)

	if err != nil {
		e.logger.Error("Storage aliveness check failed", "error", err, "duration", latency)
		e.storageAlive.Set(0)
		e.errors.Inc("storage-check", "connectivity_failed")
	} else {
		e.storageAlive.Set(1)
		e.logger.Info("Storage check completed", "duration", latency)
	}
}
