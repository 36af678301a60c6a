// Recall case nd-veneur-queryprometheus
// Source: github.com/stripe/veneur commit cce85bbc17f4730db76b7a37e0ca1ef945c17af2 (cmd/veneur-prometheus/prometheus.go, cmd/veneur-prometheus/main.go)
// Link: https://github.com/stripe/veneur/commit/cce85bbc17f4730db76b7a37e0ca1ef945c17af2
// Bug: Every tick, queryPrometheus scrapes the metrics host with httpClient.Get(host); the client is &http.Client{Transport: ...} with no Timeout and the request has no ctx, so a stalled Prometheus endpoint blocks the collection goroutine forever.
// Fix: Each tick gets a ctx with a deadline of one interval, which is threaded through collect into QueryPrometheus and used via http.NewRequestWithContext.
// Rule: nodeadline
package veneurprometheus

import (
	"bufio"
	"context"
	"log"
	"net/http"
	"regexp"
	"strings"
	"time"
)

func QueryPrometheus(
	ctx context.Context, httpClient *http.Client, host string,
	ignoredMetrics []*regexp.Regexp,
) (<-chan string, error) {
	request, err := http.NewRequestWithContext(ctx, "GET", host, nil)
	if err != nil {
		return nil, err
	}
	response, err := httpClient.Do(request)
	if err != nil {
		return nil, err
	}
	decoder := bufio.NewScanner(response.Body)

	metrics := make(chan string)
	go func() {
		defer close(metrics)
		defer response.Body.Close()

		for decoder.Scan() {
			line := decoder.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			name := strings.Fields(line)[0]
			if !shouldExportMetric(name, ignoredMetrics) {
				continue
			}
			metrics <- name
		}
	}()

	return metrics, nil
}

func collect(ctx context.Context, cfg prometheusConfig) (<-chan []string, error) {
	prometheus, err := QueryPrometheus(ctx, cfg.httpClient, cfg.metricsHost, cfg.ignoredMetrics)
	if err != nil {
		log.Printf("unable to connect with prometheus host %s: %v", cfg.metricsHost, err)
		return nil, err
	}
	return translatePrometheus(prometheus), nil
}

// Main mirrors cmd/veneur-prometheus main(): scrape once per interval.
func Main(cfg prometheusConfig, i time.Duration) {
	ticker := time.NewTicker(i)
	for time := range ticker.C {
		ctx, cancel := context.WithDeadline(context.Background(), time.Add(i))
		statsdStats, err := collect(ctx, cfg)
		if err == nil {
			sendToStatsd(statsdStats)
		}
		cancel()
	}
}
