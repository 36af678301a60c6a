// Recall case sc-alloy-faroexport
// Source: github.com/grafana/alloy commit bf733a6d549b4cd9320a9b19a2940a74fd15dfad (internal/component/faro/receiver/exporters.go)
// Link: https://github.com/grafana/alloy/commit/bf733a6d549b4cd9320a9b19a2940a74fd15dfad
// Bug: logsExporter.Export treats context.Canceled from sendKeyValsToLogsPipeline like any other per-item error: it appends it to errs and keeps sending every remaining log/exception/measurement/event with the cancelled request ctx, returning a joined pile of "context canceled" errors.
// Fix: A send helper returns immediately on errors.Is(err, context.Canceled) so Export aborts and propagates the cancellation; other errors are still accumulated.
// Rule: swallowcancel
package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"
)

// KeyVal and Payload are reduced stand-ins for alloy's faro payload package.
type KeyVal map[string]string

type Item struct{ Fields KeyVal }

func (i Item) KeyVal() *KeyVal { kv := KeyVal{}; mergeKeyVal(&kv, &i.Fields); return &kv }

type Payload struct {
	Meta         Item
	Logs         []Item
	Exceptions   []Item
	Measurements []Item
	Events       []Item
}

func mergeKeyVal(dst, src *KeyVal) {
	for k, v := range *src {
		(*dst)[k] = v
	}
}

// fanout is a stand-in for loki.Fanout: it pushes one entry to a Loki endpoint.
type fanout struct {
	client *http.Client
	url    string
}

func (f *fanout) Send(ctx context.Context, line string) error {
	body, _ := json.Marshal(map[string]any{"ts": time.Now(), "line": line})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type exporter interface {
	Name() string
	Export(ctx context.Context, p Payload) error
}

type logsExporter struct {
	fanout *fanout
}

func (exp *logsExporter) Name() string { return "logs exporter" }

func (exp *logsExporter) Export(ctx context.Context, p Payload) error {
	var (
		errs []error
		meta = p.Meta.KeyVal()
	)

	// send returns early on context cancellation.
	// Other errors are accumulated in errs.
	send := func(kv *KeyVal) error {
		mergeKeyVal(kv, meta)

		err := exp.sendKeyValsToLogsPipeline(ctx, kv)
		if errors.Is(err, context.Canceled) {
			return err
		}

		if err != nil {
			errs = append(errs, err)
		}

		return nil
	}

	// log events
	for _, logItem := range p.Logs {
		if err := send(logItem.KeyVal()); err != nil {
			return err
		}
	}

	// exceptions
	for _, exception := range p.Exceptions {
		if err := send(exception.KeyVal()); err != nil {
			return err
		}
	}

	// measurements
	for _, measurement := range p.Measurements {
		if err := send(measurement.KeyVal()); err != nil {
			return err
		}
	}

	// events
	for _, event := range p.Events {
		if err := send(event.KeyVal()); err != nil {
			return err
		}
	}

	return errors.Join(errs...)
}

func (exp *logsExporter) sendKeyValsToLogsPipeline(ctx context.Context, kv *KeyVal) error {
	line, err := json.Marshal(kv)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return exp.fanout.Send(ctx, string(line))
}

type handler struct {
	exporters []exporter
}

func (h *handler) processRequest(rw http.ResponseWriter, req *http.Request, p Payload) {
	var wg sync.WaitGroup
	for _, exp := range h.exporters {
		wg.Add(1)
		go func(exp exporter) {
			defer wg.Done()

			if err := exp.Export(req.Context(), p); err != nil {
				log.Printf("exporter %s failed with error: %v", exp.Name(), err)
			}
		}(exp)
	}
	wg.Wait()

	rw.WriteHeader(http.StatusAccepted)
	_, _ = fmt.Fprint(rw, "ok")
}
