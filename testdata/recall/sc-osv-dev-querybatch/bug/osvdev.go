// Recall case sc-osv-dev-querybatch
// Source: github.com/google/osv.dev commit 4e01662a2f785f1a448a2845a4d4a20036a82b73 (bindings/go/osvdev/osvdev.go)
// Link: https://github.com/google/osv.dev/commit/4e01662a2f785f1a448a2845a4d4a20036a82b73
// Bug: In QueryBatch each errgroup goroutine returns nil when errGrpCtx is already done, so a deadline/cancel that fires before the HTTP call is turned into success and QueryBatch returns a partial (empty) result with a nil error.
// Fix: Return errGrpCtx.Err() instead of nil from the early-exit check.
// Rule: swallowcancel
package osvdev

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
)

const (
	QueryBatchEndpoint = "/v1/querybatch"

	// MaxQueriesPerQueryBatchRequest is a limit set in osv.dev's API, so is not configurable
	MaxQueriesPerQueryBatchRequest = 1000
)

type Query struct {
	Commit string `json:"commit,omitempty"`
}

type BatchedQuery struct {
	Queries []*Query `json:"queries"`
}

type MinimalResponse struct {
	Vulns []struct {
		ID string `json:"id"`
	} `json:"vulns"`
}

type BatchedResponse struct {
	Results []MinimalResponse `json:"results"`
}

type ClientConfig struct {
	MaxConcurrentBatchRequests int
	UserAgent                  string
}

type OSVClient struct {
	HTTPClient  *http.Client
	Config      ClientConfig
	BaseHostURL string
}

// QueryBatch is an interface to this endpoint: https://google.github.io/osv.dev/post-v1-querybatch/
func (c *OSVClient) QueryBatch(ctx context.Context, queries []*Query) (*BatchedResponse, error) {
	// API has a limit of how many queries are in one batch
	queryChunks := chunkBy(queries, MaxQueriesPerQueryBatchRequest)
	totalOsvRespBatched := make([][]MinimalResponse, len(queryChunks))

	g, errGrpCtx := withContext(ctx)
	g.SetLimit(c.Config.MaxConcurrentBatchRequests)
	for batchIndex, queries := range queryChunks {
		requestBytes, err := json.Marshal(BatchedQuery{Queries: queries})
		if err != nil {
			return nil, err
		}

		g.Go(func() error {
			// exit early if another hydration request has already failed
			// results are thrown away later, so avoid needless work
			if errGrpCtx.Err() != nil {
				return nil
			}

			resp, err := c.makeRetryRequest(func(client *http.Client) (*http.Response, error) {
				requestBuf := bytes.NewBuffer(requestBytes)
				req, err := http.NewRequestWithContext(errGrpCtx, http.MethodPost, c.BaseHostURL+QueryBatchEndpoint, requestBuf)
				if err != nil {
					return nil, err
				}
				req.Header.Set("Content-Type", "application/json")
				if c.Config.UserAgent != "" {
					req.Header.Set("User-Agent", c.Config.UserAgent)
				}

				return client.Do(req)
			})
			if err != nil {
				return err
			}
			defer resp.Body.Close()

			var osvResp BatchedResponse
			decoder := json.NewDecoder(resp.Body)
			err = decoder.Decode(&osvResp)
			if err != nil {
				return err
			}

			// Store batch results in the corresponding index to maintain original query order.
			totalOsvRespBatched[batchIndex] = osvResp.Results

			return nil
		})
	}

	if err := g.Wait(); err != nil {
		return nil, err
	}

	totalOsvResp := BatchedResponse{
		Results: make([]MinimalResponse, 0, len(queries)),
	}
	for _, results := range totalOsvRespBatched {
		totalOsvResp.Results = append(totalOsvResp.Results, results...)
	}

	return &totalOsvResp, nil
}

// makeRetryRequest: upstream retries with backoff; reduced here to a single attempt
// (the retry/backoff loop is identical before and after the fix and not part of this case).
func (c *OSVClient) makeRetryRequest(action func(client *http.Client) (*http.Response, error)) (*http.Response, error) {
	resp, err := action(c.HTTPClient)
	if err != nil {
		return nil, fmt.Errorf("attempt 1: request failed: %w", err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	errBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	return nil, fmt.Errorf("server error: status=%q body=%s", resp.Status, errBody)
}

func chunkBy[T any](items []T, chunkSize int) [][]T {
	chunks := make([][]T, 0, (len(items)/chunkSize)+1)
	for chunkSize < len(items) {
		items, chunks = items[chunkSize:], append(chunks, items[0:chunkSize:chunkSize])
	}

	return append(chunks, items)
}

// group is a minimal local stand-in for golang.org/x/sync/errgroup.Group.
type group struct {
	cancel  context.CancelCauseFunc
	wg      sync.WaitGroup
	sem     chan struct{}
	errOnce sync.Once
	err     error
}

func withContext(ctx context.Context) (*group, context.Context) {
	ctx, cancel := context.WithCancelCause(ctx)
	return &group{cancel: cancel}, ctx
}

func (g *group) SetLimit(n int) {
	if n < 0 {
		g.sem = nil
		return
	}
	g.sem = make(chan struct{}, n)
}

func (g *group) Go(f func() error) {
	if g.sem != nil {
		g.sem <- struct{}{}
	}
	g.wg.Add(1)
	go func() {
		defer func() {
			if g.sem != nil {
				<-g.sem
			}
			g.wg.Done()
		}()
		if err := f(); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				if g.cancel != nil {
					g.cancel(err)
				}
			})
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	if g.cancel != nil {
		g.cancel(g.err)
	}
	return g.err
}
