// Recall case nd-opentelemetry-go-periodicreader
// Source: github.com/open-telemetry/opentelemetry-go commit 3b124b39d1f72dae111d6925ed24f4a0c346b33e (sdk/metric/periodic_reader.go)
// Link: https://github.com/open-telemetry/opentelemetry-go/commit/3b124b39d1f72dae111d6925ed24f4a0c346b33e
// Bug: PeriodicReader.run passes its WithCancel(Background) ctx to collectAndExport; only export gets r.timeout, so Collect -> external Producer.Produce runs with no deadline and can block the reader forever.
// Fix: collectAndExport wraps ctx with context.WithTimeout(ctx, r.timeout) covering collect and export; export no longer adds its own timeout.
// Rule: nodeadline
package metric

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"time"
)

// Producer produces metrics for a Reader from an external source.
type Producer interface {
	Produce(ctx context.Context) ([]byte, error)
}

// Exporter exports metric data.
type Exporter interface {
	Export(ctx context.Context, data []byte) error
}

// httpProducer is an external producer that scrapes a bridged endpoint (stub).
type httpProducer struct {
	url    string
	client *http.Client
}

func (p *httpProducer) Produce(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// httpExporter posts metric data (stub for an OTLP HTTP exporter).
type httpExporter struct {
	url    string
	client *http.Client
}

func (e *httpExporter) Export(ctx context.Context, data []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(data))
	if err != nil {
		return err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// PeriodicReader is a Reader that continuously collects and exports metric
// data at a set interval.
type PeriodicReader struct {
	externalProducers []Producer

	timeout  time.Duration
	exporter Exporter
	flushCh  chan chan error
	done     chan struct{}
	cancel   context.CancelFunc
}

// NewPeriodicReader returns a Reader that collects and exports metric data to
// the exporter at a defined interval.
func NewPeriodicReader(exporter Exporter, producers []Producer, interval, timeout time.Duration) *PeriodicReader {
	ctx, cancel := context.WithCancel(context.Background())
	r := &PeriodicReader{
		externalProducers: producers,
		timeout:           timeout,
		exporter:          exporter,
		flushCh:           make(chan chan error),
		cancel:            cancel,
		done:              make(chan struct{}),
	}

	go func() {
		defer func() { close(r.done) }()
		r.run(ctx, interval)
	}()

	return r
}

// NewHTTPPeriodicReader wires the stub producer and exporter.
func NewHTTPPeriodicReader(produceURL, exportURL string) *PeriodicReader {
	c := &http.Client{Transport: http.DefaultTransport}
	return NewPeriodicReader(&httpExporter{url: exportURL, client: c},
		[]Producer{&httpProducer{url: produceURL, client: c}}, time.Minute, 30*time.Second)
}

// run continuously collects and exports metric data at the specified
// interval. This will run until ctx is canceled or times out.
func (r *PeriodicReader) run(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()

	for {
		select {
		case <-ticker.C:
			err := r.collectAndExport(ctx)
			if err != nil {
				log.Print(err)
			}
		case errCh := <-r.flushCh:
			errCh <- r.collectAndExport(ctx)
			ticker.Reset(interval)
		case <-ctx.Done():
			return
		}
	}
}

// collectAndExport gather all metric data related to the periodicReader r from
// the SDK and exports it with r's exporter.
func (r *PeriodicReader) collectAndExport(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()

	var rm []byte
	err := r.Collect(ctx, &rm)
	if err == nil {
		err = r.export(ctx, rm)
	}
	return err
}

// Collect gathers and returns all metric data related to the Reader from
// the SDK and other Producers and stores the result in rm.
func (r *PeriodicReader) Collect(ctx context.Context, rm *[]byte) error {
	if rm == nil {
		return errors.New("periodic reader: *metricdata.ResourceMetrics is nil")
	}
	return r.collect(ctx, rm)
}

func (r *PeriodicReader) collect(ctx context.Context, rm *[]byte) error {
	var errs []error
	for _, producer := range r.externalProducers {
		externalMetrics, err := producer.Produce(ctx)
		if err != nil {
			errs = append(errs, err)
		}
		*rm = append(*rm, externalMetrics...)
	}
	return errors.Join(errs...)
}

// export exports metric data m using r's exporter.
func (r *PeriodicReader) export(ctx context.Context, m []byte) error {
	return r.exporter.Export(ctx, m)
}

// Shutdown stops the run loop.
func (r *PeriodicReader) Shutdown() {
	r.cancel()
	<-r.done
}
