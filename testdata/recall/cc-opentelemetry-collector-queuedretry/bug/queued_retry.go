// Recall case cc-opentelemetry-collector-queuedretry
// Source: github.com/open-telemetry/opentelemetry-collector commit 14a0208689234b97417ce0cf635b567655946812 (exporter/exporterhelper/queued_retry.go)
// Link: https://github.com/open-telemetry/opentelemetry-collector/commit/14a0208689234b97417ce0cf635b567655946812
// Bug: queuedRetrySender.send enqueues the request with the receiver's request ctx; the receiver cancels it as soon as send returns, so the later async export (timeoutSender.send -> req.export) runs on an already-cancelled ctx and the data is dropped.
// Fix: before Produce, req.setContext(noCancellationContext{Context: req.context()}) strips cancellation/deadline (values kept); timeoutSender then adds its own timeout.
// Rule: cleanupctx
package exporterhelper

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// request is the internal unit of work flowing through the senders.
type request interface {
	context() context.Context
	setContext(context.Context)
	export(ctx context.Context) (int, error)
	count() int
}

type requestSender interface {
	send(req request) (int, error)
}

// tracesRequest exports a batch over HTTP (stub for the OTLP/HTTP push func).
type tracesRequest struct {
	ctx    context.Context
	body   []byte
	url    string
	client *http.Client
}

func (r *tracesRequest) context() context.Context       { return r.ctx }
func (r *tracesRequest) setContext(ctx context.Context) { r.ctx = ctx }
func (r *tracesRequest) count() int                     { return 1 }

func (r *tracesRequest) export(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(r.body))
	if err != nil {
		return 1, err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 1, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return 0, err
}

// TimeoutSettings for timeout. The timeout applies to individual attempts to send data to the backend.
type TimeoutSettings struct {
	Timeout time.Duration
}

// CreateDefaultTimeoutSettings returns the default settings for TimeoutSettings.
func CreateDefaultTimeoutSettings() TimeoutSettings {
	return TimeoutSettings{Timeout: 5 * time.Second}
}

type timeoutSender struct {
	cfg TimeoutSettings
}

// send implements the requestSender interface
func (ts *timeoutSender) send(req request) (int, error) {
	// Intentionally don't overwrite the context inside the request, because in case of retries deadline will not be
	// updated because this deadline most likely is before the next one.
	ctx := req.context()
	if ts.cfg.Timeout > 0 {
		var cancelFunc func()
		ctx, cancelFunc = context.WithTimeout(req.context(), ts.cfg.Timeout)
		defer cancelFunc()
	}
	return req.export(ctx)
}

type queuedRetrySender struct {
	numConsumers   int
	consumerSender requestSender
	queue          chan request
	wg             sync.WaitGroup
}

var errorRefused = errors.New("failed to add to the queue")

func newQueuedRetrySender(queueSize, numConsumers int, nextSender requestSender) *queuedRetrySender {
	return &queuedRetrySender{
		numConsumers:   numConsumers,
		consumerSender: nextSender,
		queue:          make(chan request, queueSize),
	}
}

// start is invoked during service startup.
func (qrs *queuedRetrySender) start() {
	for i := 0; i < qrs.numConsumers; i++ {
		qrs.wg.Add(1)
		go func() {
			defer qrs.wg.Done()
			for value := range qrs.queue {
				_, _ = qrs.consumerSender.send(value)
			}
		}()
	}
}

// send implements the requestSender interface
func (qrs *queuedRetrySender) send(req request) (int, error) {
	select {
	case qrs.queue <- req:
		return 0, nil
	default:
		return req.count(), errorRefused
	}
}

// shutdown is invoked during service shutdown.
func (qrs *queuedRetrySender) shutdown() {
	close(qrs.queue)
	qrs.wg.Wait()
}

// tracesExporter is what a receiver's ConsumeTraces reaches.
type tracesExporter struct {
	url    string
	client *http.Client
	sender *queuedRetrySender
}

func newTracesExporter(url string) *tracesExporter {
	ts := CreateDefaultTimeoutSettings()
	e := &tracesExporter{
		url:    url,
		client: &http.Client{Transport: http.DefaultTransport},
		sender: newQueuedRetrySender(1000, 10, &timeoutSender{cfg: ts}),
	}
	e.sender.start()
	return e
}

// ConsumeTraces is called by a receiver with its request context.
func (e *tracesExporter) ConsumeTraces(ctx context.Context, body []byte) error {
	_, err := e.sender.send(&tracesRequest{ctx: ctx, body: body, url: e.url, client: e.client})
	return err
}

// receiverHandler is an HTTP receiver: r.Context() is cancelled when it returns.
func receiverHandler(e *tracesExporter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := e.ConsumeTraces(r.Context(), body); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}
