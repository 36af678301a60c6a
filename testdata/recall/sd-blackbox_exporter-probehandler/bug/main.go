// Recall case sd-blackbox_exporter-probehandler
// Source: github.com/prometheus/blackbox_exporter commit 64308dde3a90b580b1d9102a390cd737b694cb63 (main.go)
// Link: https://github.com/prometheus/blackbox_exporter/commit/64308dde3a90b580b1d9102a390cd737b694cb63
// Bug: probeHandler builds the probe budget with context.WithTimeout(context.Background(), ...) although r.Context() is in scope, so a cancelled scrape request does not cancel the running prober.
// Fix: the probe ctx is derived from r.Context(): context.WithTimeout(r.Context(), timeout).
// Rule: sharedeadline
package blackbox

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// ProbeFn is the prober signature (reduced).
type ProbeFn func(ctx context.Context, target string, logger *slog.Logger) bool

var timeoutOffset = 0.5

var Probers = map[string]ProbeFn{
	"http": ProbeHTTP,
}

var probeClient = &http.Client{Transport: http.DefaultTransport}

// ProbeHTTP (reduced): the request is bounded by the probe ctx.
func ProbeHTTP(ctx context.Context, target string, logger *slog.Logger) bool {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		logger.Error("Error creating request", "err", err)
		return false
	}
	resp, err := probeClient.Do(request)
	if err != nil {
		logger.Error("Error for HTTP request", "err", err)
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}

func getTimeout(r *http.Request, moduleTimeout time.Duration, offset float64) (timeoutSeconds float64, err error) {
	if v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); v != "" {
		timeoutSeconds, err = strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, err
		}
	}
	if timeoutSeconds == 0 {
		timeoutSeconds = 10
	}
	maxTimeoutSeconds := timeoutSeconds - offset
	if moduleTimeout.Seconds() < maxTimeoutSeconds && moduleTimeout.Seconds() > 0 {
		timeoutSeconds = moduleTimeout.Seconds()
	} else {
		timeoutSeconds = maxTimeoutSeconds
	}
	return timeoutSeconds, nil
}

func probeHandler(w http.ResponseWriter, r *http.Request, moduleTimeout time.Duration, logger *slog.Logger) {
	timeoutSeconds, err := getTimeout(r, moduleTimeout, timeoutOffset)
	if err != nil {
		http.Error(w, fmt.Sprintf("Failed to parse timeout from Prometheus header: %s", err), http.StatusInternalServerError)
		return
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(timeoutSeconds*float64(time.Second)))
	defer cancel()
	r = r.WithContext(ctx)

	params := r.URL.Query()
	target := params.Get("target")
	if target == "" {
		http.Error(w, "Target parameter is missing", http.StatusBadRequest)
		return
	}

	prober, ok := Probers["http"]
	if !ok {
		http.Error(w, "Unknown prober", http.StatusBadRequest)
		return
	}

	start := time.Now()
	success := prober(ctx, target, logger)
	duration := time.Since(start).Seconds()
	if success {
		logger.Info("Probe succeeded", "duration_seconds", duration)
		fmt.Fprintln(w, "probe_success 1")
	} else {
		logger.Error("Probe failed", "duration_seconds", duration)
		fmt.Fprintln(w, "probe_success 0")
	}
}

// Handler wires probeHandler as in main().
func Handler(logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/probe", func(w http.ResponseWriter, r *http.Request) {
		probeHandler(w, r, 5*time.Second, logger)
	})
	return mux
}
