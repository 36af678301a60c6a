// Recall case nd-k6-metricspush
// Source: github.com/grafana/k6 commit a427a603332457caf910df361ba1818b79ba5e8f (output/cloud/expv2/metrics_client.go)
// Link: https://github.com/grafana/k6/commit/a427a603332457caf910df361ba1818b79ba5e8f
// Bug: metricsClient.push builds the cloud metrics upload with context.Background(), and metricsFlusher.flush/flushBatches carry no context, so a stalled upload cannot be cancelled and blocks k6 shutdown.
// Fix: flush, flushBatches, the pusher interface and push take a ctx and build the request with http.NewRequestWithContext(ctx, ...).
// Rule: nodeadline
package expv2

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// MetricSet is a reduced stand-in for pbcloud.MetricSet.
type MetricSet struct {
	Series []string
}

type pusher interface {
	push(samples *MetricSet) error
}

type metricsFlusher struct {
	bq                   *bucketQ
	client               pusher
	batchPushConcurrency int
}

type bucketQ struct {
	buckets []*MetricSet
}

func (q *bucketQ) PopAll() []*MetricSet {
	b := q.buckets
	q.buckets = nil
	return b
}

// flush flushes the queued buckets sending them to the remote Cloud service.
func (f *metricsFlusher) flush() error {
	// drain the buffer
	batches := f.bq.PopAll()
	if len(batches) < 1 {
		return nil
	}
	return f.flushBatches(batches)
}

func (f *metricsFlusher) flushBatches(batches []*MetricSet) error {
	var (
		workers  = min(len(batches), f.batchPushConcurrency)
		errs     = make(chan error, workers)
		feed     = make(chan *MetricSet)
		finalErr error
	)

	for i := 0; i < workers; i++ {
		go func() {
			for chunk := range feed {
				if err := f.client.push(chunk); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}

outer:
	for i := range batches {
		select {
		case err := <-errs:
			workers--
			finalErr = err
			break outer
		case feed <- batches[i]:
		}
	}

	close(feed)

	for ; workers != 0; workers-- {
		err := <-errs
		if err != nil && finalErr == nil {
			finalErr = err
		}
	}
	return finalErr
}

// metricsHTTPClient is the interface used by metricsClient to perform HTTP requests.
type metricsHTTPClient interface {
	Do(req *http.Request, v any) error
	BaseURL() string
}

// cloudClient is a reduced stand-in for cloudapi.Client.
type cloudClient struct {
	client  *http.Client
	baseURL string
}

func newCloudClient(baseURL string, timeout time.Duration) *cloudClient {
	return &cloudClient{client: &http.Client{Timeout: timeout}, baseURL: baseURL}
}

func (c *cloudClient) BaseURL() string { return c.baseURL }

func (c *cloudClient) Do(req *http.Request, v any) error {
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("cloud: unexpected status %d", resp.StatusCode)
	}
	if v != nil {
		return json.NewDecoder(resp.Body).Decode(v)
	}
	return nil
}

// metricsClient is a Protobuf over HTTP client for sending
// the collected metrics from the Cloud output to the remote service.
type metricsClient struct {
	httpClient metricsHTTPClient
	url        string
}

func newMetricsClient(c metricsHTTPClient, testRunID string) (*metricsClient, error) {
	u := c.BaseURL()
	if !strings.HasSuffix(u, "/v1") {
		return nil, errors.New("a /v1 suffix is expected in the Cloud service's BaseURL path")
	}
	return &metricsClient{
		httpClient: c,
		url:        strings.TrimSuffix(u, "/v1") + "/v2/metrics/" + testRunID,
	}, nil
}

// Push the provided metrics for the given test run ID.
func (mc *metricsClient) push(samples *MetricSet) error {
	b, err := json.Marshal(samples)
	if err != nil {
		return err
	}

	req, err := http.NewRequestWithContext(
		context.Background(), http.MethodPost, mc.url, io.NopCloser(bytes.NewReader(b)))
	if err != nil {
		return err
	}

	req.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	req.Header.Set("K6-Metrics-Protocol-Version", "2.0")

	return mc.httpClient.Do(req, nil)
}

// Output is a reduced stand-in for expv2.Output.
type Output struct {
	flushing interface{ flush() error }
	stop     chan struct{}
}

func (o *Output) runPeriodicFlush() {
	t := time.NewTicker(time.Second)
	go func() {
		defer t.Stop()
		for {
			select {
			case <-t.C:
				o.flushMetrics()
			case <-o.stop:
				return
			}
		}
	}()
}

func (o *Output) flushMetrics() {
	_ = o.flushing.flush()
}
