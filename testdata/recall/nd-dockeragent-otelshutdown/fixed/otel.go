// Recall case nd-dockeragent-otelshutdown
// Source: github.com/docker/docker-agent commit c9bc5b1ba4a3733768aa8eb13e881d1cb985230d (cmd/root/otel.go)
// Link: https://github.com/docker/docker-agent/commit/c9bc5b1ba4a3733768aa8eb13e881d1cb985230d
// Bug: after the app context is done, the goroutine calls tp.Shutdown(context.Background()), which flushes spans to the OTLP HTTP endpoint with no deadline and can block forever.
// Fix: Shutdown is given context.WithTimeout(context.Background(), 5*time.Second).
// Rule: nodeadline
package root

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"sync"
	"time"
)

// spanExporter is a stand-in for the otlptracehttp exporter: it POSTs
// buffered spans to the collector.
type spanExporter struct {
	client   *http.Client
	endpoint string
}

func (e *spanExporter) ExportSpans(ctx context.Context, spans [][]byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+e.endpoint+"/v1/traces", bytes.NewReader(bytes.Join(spans, nil)))
	if err != nil {
		return err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// TracerProvider is a stand-in for the sdk trace.TracerProvider with a batcher.
type TracerProvider struct {
	mu           sync.Mutex
	exporter     *spanExporter
	batchTimeout time.Duration
	pending      [][]byte
}

// Shutdown flushes pending spans to the exporter and stops the provider.
func (tp *TracerProvider) Shutdown(ctx context.Context) error {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.exporter == nil || len(tp.pending) == 0 {
		return nil
	}
	err := tp.exporter.ExportSpans(ctx, tp.pending)
	tp.pending = nil
	return err
}

// initOTelSDK initializes OpenTelemetry SDK with OTLP exporter
func initOTelSDK(ctx context.Context) (err error) {
	var traceExporter *spanExporter
	endpoint := os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")

	// Only initialize if endpoint is configured
	if endpoint != "" {
		traceExporter = &spanExporter{client: &http.Client{}, endpoint: endpoint}
	}

	tp := &TracerProvider{exporter: traceExporter, batchTimeout: 5 * time.Second}

	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tp.Shutdown(shutdownCtx)
	}()

	return nil
}
