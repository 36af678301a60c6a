// Recall case sc-keboola-as-code-tablesamples
// Source: github.com/keboola/keboola-as-code commit bd3589c98790bf6f5224b9cc37687e1adec30dcb (internal/pkg/llm/twinformat/fetcher.go)
// Link: https://github.com/keboola/keboola-as-code/commit/bd3589c98790bf6f5224b9cc37687e1adec30dcb
// Bug: when ctx is cancelled, the FetchTableSamples worker goroutines just return (or log the fetch error and drop it), and the function then returns an empty slice with a nil error, turning cancellation into a successful empty result.
// Fix: after wg.Wait(), if no samples were fetched and ctx.Err() != nil, return ctx.Err().
// Rule: swallowcancel
package twinformat

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"sort"
	"sync"
)

// TableKey is a stand-in for keboola.TableKey.
type TableKey struct {
	BranchID int
	TableID  string
}

// Table is a stand-in for keboola.Table.
type Table struct {
	BranchID int
	TableID  string
}

// tablePreview is a stand-in for the SDK preview response.
type tablePreview struct {
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// storageAPI is a stand-in for the keboola SDK client; it does the real HTTP request.
type storageAPI struct {
	host   string
	client *http.Client
}

func (a *storageAPI) PreviewTable(ctx context.Context, key TableKey, limit uint) (*tablePreview, error) {
	u := fmt.Sprintf("%s/v2/storage/branch/%d/tables/%s/data-preview?limit=%d", a.host, key.BranchID, url.PathEscape(key.TableID), limit)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("preview table %s: status %s", key.TableID, resp.Status)
	}
	var p tablePreview
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Fetcher fetches data from Keboola APIs.
type Fetcher struct {
	api    *storageAPI
	logger *log.Logger
}

// TableSample represents a sample of table data.
type TableSample struct {
	TableID string
	Columns []string
	Rows    [][]string
}

// RowCount returns the number of rows in the sample.
func (s *TableSample) RowCount() int {
	return len(s.Rows)
}

// FetchTableSample fetches a sample of data from a table.
func (f *Fetcher) FetchTableSample(ctx context.Context, tableKey TableKey, limit uint) (*TableSample, error) {
	f.logger.Printf("Fetching sample for table %s (limit: %d)", tableKey.TableID, limit)

	preview, err := f.api.PreviewTable(ctx, tableKey, limit)
	if err != nil {
		return nil, err
	}

	sample := &TableSample{
		TableID: tableKey.TableID,
		Columns: preview.Columns,
		Rows:    preview.Rows,
	}

	f.logger.Printf("Fetched %d rows for table %s", sample.RowCount(), tableKey.TableID)

	return sample, nil
}

// FetchTableSamples fetches samples for multiple tables concurrently.
func (f *Fetcher) FetchTableSamples(ctx context.Context, tables []*Table, limit uint, maxTables int) ([]*TableSample, error) {
	// Guard against non-positive maxTables to avoid panics from negative slice capacities.
	if maxTables <= 0 {
		return []*TableSample{}, nil
	}

	// Limit tables to fetch.
	tablesToFetch := tables
	if len(tablesToFetch) > maxTables {
		tablesToFetch = tablesToFetch[:maxTables]
	}

	// Use bounded concurrency to respect API rate limits.
	const maxConcurrency = 5

	type indexedSample struct {
		index  int
		sample *TableSample
	}

	var (
		mu        sync.Mutex
		wg        sync.WaitGroup
		semaphore = make(chan struct{}, maxConcurrency)
		results   = make([]indexedSample, 0, len(tablesToFetch))
	)

	for i, table := range tablesToFetch {
		wg.Add(1)
		go func(idx int, t *Table) {
			defer wg.Done()

			// Acquire semaphore.
			select {
			case semaphore <- struct{}{}:
				defer func() { <-semaphore }()
			case <-ctx.Done():
				return
			}

			tableKey := TableKey{
				BranchID: t.BranchID,
				TableID:  t.TableID,
			}

			sample, fetchErr := f.FetchTableSample(ctx, tableKey, limit)
			if fetchErr != nil {
				f.logger.Printf("Failed to fetch sample for table %s: %v", t.TableID, fetchErr)
				return
			}

			mu.Lock()
			results = append(results, indexedSample{index: idx, sample: sample})
			mu.Unlock()
		}(i, table)
	}

	wg.Wait()

	// If context was cancelled and no samples were fetched, propagate the cancellation error.
	if len(results) == 0 && ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// Sort by original index to preserve order.
	sort.Slice(results, func(i, j int) bool {
		return results[i].index < results[j].index
	})

	samples := make([]*TableSample, 0, len(results))
	for _, r := range results {
		samples = append(samples, r.sample)
	}

	f.logger.Printf("Fetched samples for %d tables", len(samples))

	return samples, nil
}
