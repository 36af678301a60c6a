// Package storedroot: a bare root a constructor keeps in a field, given to
// waits by methods that have the caller's context (jaeger's SpanReader
// before its fix), and the shapes left alone.
package storedroot

import (
	"bytes"
	"context"
	"net/http"
	"time"
)

type esClient struct {
	http *http.Client
	url  string
}

func newESClient(url string, timeout time.Duration) *esClient {
	return &esClient{http: &http.Client{Timeout: timeout}, url: url}
}

func (c *esClient) search(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type SpanReader struct {
	client *esClient
	ctx    context.Context
}

func NewSpanReader(url string, timeout time.Duration) *SpanReader {
	ctx := context.Background()
	return &SpanReader{client: newESClient(url, timeout), ctx: ctx}
}

func (s *SpanReader) FindTraces(ctx context.Context, q []byte) error {
	if err := s.client.search(s.ctx, q); err != nil { // want `context.Background\(\) \(stored in field ctx\) drops ctx's deadline and cancellation: \(\*storedroot.esClient\).search reaches \(\*http.Client\).Do, which then runs on after the caller gave up; pass ctx`
		return err
	}
	return s.client.search(s.ctx, q) // reported once per function
}

func (s *SpanReader) GetTrace(ctx context.Context, id []byte) error {
	return s.client.search(s.ctx, id) // want `context.Background\(\) \(stored in field ctx\) drops ctx's deadline`
}

// Negatives.

// No caller's context in scope: the stored root is all there is.
func (s *SpanReader) Warm() error {
	return s.client.search(s.ctx, nil)
}

// The fix: the caller's context.
func (s *SpanReader) FindTracesFixed(ctx context.Context, q []byte) error {
	return s.client.search(ctx, q)
}

// A field set to a cancellable context is the object's lifetime: a method
// without a context of its own may wait under it.
type Poller struct {
	client *esClient
	ctx    context.Context
	cancel context.CancelFunc
}

func NewPoller(url string) *Poller {
	ctx, cancel := context.WithCancel(context.Background())
	return &Poller{client: newESClient(url, time.Second), ctx: ctx, cancel: cancel}
}

func (p *Poller) PollAll() error {
	return p.client.search(p.ctx, nil)
}

// A method that receives the caller's context and never reads it, waiting
// under the object's instead, drops the caller's (prysm's
// BlockHashByHeight; see unusedctx).
func (p *Poller) Poll(ctx context.Context) error {
	return p.client.search(p.ctx, nil) // want `\(\*storedroot.Poller\).Poll receives ctx but never uses it, and \(\*http.Client\).Do via \(\*storedroot.esClient\).search waits under p.ctx`
}

func (p *Poller) Close() { p.cancel() }

// Work handed to a goroutine outlives the call on purpose.
func (s *SpanReader) Prefetch(ctx context.Context, q []byte) {
	go func() {
		_ = s.client.search(s.ctx, q)
	}()
}

// A helper that puts its own budget on what it is given (dragonfly's
// health client.Check: WithTimeout(ctx, 2s)): a root given to it where a
// caller's context is in scope drops that context's cancellation.
func (c *esClient) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return c.search(ctx, nil)
}

func Check(ctx context.Context, c *esClient) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.check(context.Background()) // want `context.Background\(\) drops ctx's deadline and cancellation: \(\*storedroot.esClient\).check reaches \(\*http.Client\).Do via \(\*storedroot.esClient\).search, which then runs on after the caller gave up; pass ctx`
}

// With no caller's context in scope, the helper's budget is the bound.
func CheckAll(c *esClient) error {
	return c.check(context.Background())
}
