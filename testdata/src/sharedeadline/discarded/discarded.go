// Package discarded: a function that receives its caller's context in a
// parameter named _ and waits under a root of its own (cadence's
// Elasticsearch visibility store before its fix).
package discarded

import (
	"context"
	"net/http"
	"time"
)

type esClient struct {
	http *http.Client
	url  string
}

// newESClient keeps the client its caller configures.
func newESClient(hc *http.Client, url string) *esClient { return &esClient{http: hc, url: url} }

func (c *esClient) count(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type store struct{ es *esClient }

// search takes no context and starts its own.
func (s *store) search() error {
	return s.es.count(context.Background())
}

func (s *store) List(_ context.Context, page int) error {
	return s.search() // want `\(\*discarded.store\).search starts its own context.Background\(\), which reaches \(\*http.Client\).Do via \(\*discarded.esClient\).count, while this function discards the context it receives \(its parameter is _\): the wait ignores the caller's deadline and cancellation; name that parameter and pass it to \(\*discarded.store\).search \(give it a context parameter\)`
}

func (s *store) Count(_ context.Context) error {
	ctx := context.Background()
	return s.es.count(ctx) // want `context.Background\(\) replaces the context this function receives and discards \(its parameter is _\): \(\*discarded.esClient\).count reaches \(\*http.Client\).Do, which then ignores the caller's deadline and cancellation; name that parameter and pass it`
}

// Negatives.

// The fix: the parameter is named and passed.
func (s *store) CountFixed(ctx context.Context) error {
	return s.es.count(ctx)
}

// A discarded context with no wait of its own is no finding.
func (s *store) Name(_ context.Context) string { return "es" }

// No context received at all: nothing is dropped.
func (s *store) Warm() error {
	return s.es.count(context.Background())
}

// budget is a helper that makes a fresh budget of its own; the method
// that calls it discards its caller's context (opentofu's azure backend's
// Workspaces(_ context.Context)).
func (s *store) budget() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

func (s *store) Workspaces(_ context.Context) error {
	ctx, cancel := s.budget() // want `\(\*discarded.store\).budget starts a fresh budget, context.WithTimeout\(context.Background\(\), …\), while this function discards the context it receives \(its parameter is _\)`
	defer cancel()
	return s.es.count(ctx)
}
