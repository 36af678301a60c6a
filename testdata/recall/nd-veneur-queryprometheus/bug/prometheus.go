// Recall case nd-veneur-queryprometheus
// Source: github.com/stripe/veneur commit cce85bbc17f4730db76b7a37e0ca1ef945c17af2 (cmd/veneur-prometheus/prometheus.go, cmd/veneur-prometheus/main.go)
// Link: https://github.com/stripe/veneur/commit/cce85bbc17f4730db76b7a37e0ca1ef945c17af2
// Bug: Every tick, queryPrometheus scrapes the metrics host with httpClient.Get(host); the client is &http.Client{Transport: ...} with no Timeout and the request has no ctx, so a stalled Prometheus endpoint blocks the collection goroutine forever.
// Fix: Each tick gets a ctx with a deadline of one interval, which is threaded through collect into QueryPrometheus and used via http.NewRequestWithContext.
// Rule: nodeadline
package veneurprometheus

import (
	"bufio"
	"log"
	"net/http"
	"regexp"
	"strings"
	"time"
)

func queryPrometheus(httpClient *http.Client, host string, ignoredMetrics []*regexp.Regexp) <-chan string {
	metrics := make(chan string)

	go func() {
		defer close(metrics)

		resp, err := httpClient.Get(host)
		if err != nil {
			log.Printf("unable to connect with prometheus host %s: %v", host, err)
			return
		}
		defer resp.Body.Close()

		d := bufio.NewScanner(resp.Body)
		for d.Scan() {
			line := d.Text()
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

	return metrics
}

func collect(cfg prometheusConfig) <-chan []string {
	prometheus := queryPrometheus(cfg.httpClient, cfg.metricsHost, cfg.ignoredMetrics)
	return translatePrometheus(prometheus)
}

// Main mirrors cmd/veneur-prometheus main(): scrape once per interval.
func Main(cfg prometheusConfig, i time.Duration) {
	ticker := time.NewTicker(i)
	for range ticker.C {
		statsdStats := collect(cfg)
		sendToStatsd(statsdStats)
	}
}
