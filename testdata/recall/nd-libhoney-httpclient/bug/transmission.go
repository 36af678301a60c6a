// Recall case nd-libhoney-httpclient
// Source: github.com/honeycombio/libhoney-go commit be16e93c520f46131fd27a9b02c8216bcdb8de84 (transmission.go)
// Link: https://github.com/honeycombio/libhoney-go/commit/be16e93c520f46131fd27a9b02c8216bcdb8de84
// Bug: The batch sender's http.Client (built in the BatchMaker closure and stored in batchAgg.httpClient) has no Timeout and requests are built with http.NewRequest (no ctx), so a stalled Honeycomb API blocks fireBatch forever and goroutines pile up.
// Fix: Give the http.Client a 10 second Timeout.
// Rule: nodeadline
package libhoney

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"time"
)

// Event is a reduced stand-in for libhoney.Event.
type Event struct {
	APIHost  string
	WriteKey string
	Dataset  string
	Fields   map[string]any
}

// Response is what gets reported back for each event.
type Response struct {
	Err        error
	StatusCode int
	Duration   time.Duration
}

// batchClient is a small stand-in for github.com/facebookgo/muster.Client.
type batchClient struct {
	BatchMaker func() *batchAgg
}

type txDefaultClient struct {
	transport http.RoundTripper
	muster    batchClient
	responses chan Response
}

func (t *txDefaultClient) Start() error {
	t.muster.BatchMaker = func() *batchAgg {
		return &batchAgg{
			batches:    map[string][]*Event{},
			httpClient: &http.Client{Transport: t.transport},
			responses:  t.responses,
		}
	}
	return nil
}

// batchAgg collects events that will be POSTed as one HTTP call per key.
type batchAgg struct {
	batches    map[string][]*Event
	httpClient *http.Client
	responses  chan Response
}

func (b *batchAgg) Add(e *Event) {
	key := fmt.Sprintf("%s_%s_%s", e.APIHost, e.WriteKey, e.Dataset)
	b.batches[key] = append(b.batches[key], e)
}

func (b *batchAgg) Fire() {
	for _, events := range b.batches {
		b.fireBatch(events)
	}
}

func (b *batchAgg) fireBatch(events []*Event) {
	start := time.Now().UTC()
	if len(events) == 0 {
		return
	}
	encEvs, err := json.Marshal(events)
	if err != nil {
		b.enqueueErrResponses(err, events, 0)
		return
	}
	apiHost := events[0].APIHost
	writeKey := events[0].WriteKey
	dataset := events[0].Dataset

	u, err := url.Parse(apiHost)
	if err != nil {
		b.enqueueErrResponses(err, events, time.Since(start))
		return
	}
	u.Path = path.Join(u.Path, "/1/batch", dataset)
	req, err := http.NewRequest("POST", u.String(), bytes.NewReader(encEvs))
	if err != nil {
		b.enqueueErrResponses(err, events, time.Since(start))
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("X-Honeycomb-Team", writeKey)
	// send off batch!
	resp, err := b.httpClient.Do(req)
	dur := time.Since(start)
	if err != nil {
		b.enqueueErrResponses(err, events, dur)
		return
	}
	defer resp.Body.Close()

	body, _ := io.ReadAll(resp.Body)
	for range events {
		b.responses <- Response{StatusCode: resp.StatusCode, Duration: dur, Err: errorFromBody(resp.StatusCode, body)}
	}
}

func errorFromBody(code int, body []byte) error {
	if code == http.StatusOK {
		return nil
	}
	return fmt.Errorf("http %d: %s", code, body)
}

func (b *batchAgg) enqueueErrResponses(err error, events []*Event, duration time.Duration) {
	for range events {
		b.responses <- Response{Err: err, Duration: duration}
	}
}
