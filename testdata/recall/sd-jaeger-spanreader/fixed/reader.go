// Recall case sd-jaeger-spanreader
// Source: github.com/jaegertracing/jaeger commit 6b5c9e4fef43a76f7cdfde164eaf3f0ba74a9b1d (plugin/storage/es/spanstore/reader.go)
// Link: https://github.com/jaegertracing/jaeger/commit/6b5c9e4fef43a76f7cdfde164eaf3f0ba74a9b1d
// Bug: NewSpanReader stores context.Background() in SpanReader.ctx, and findTraceIDs / multiRead run the Elasticsearch Search/MultiSearch with s.ctx although FindTraces/GetTrace hand them the request ctx, so the query's deadline and cancellation are ignored.
// Fix: the ctx field is removed and findTraceIDs / multiRead call Do(ctx) with the caller's ctx.
// Rule: sharedeadline
package spanstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ---- stub of the Elasticsearch client (olivere/elastic behind jaeger's es.Client) ----

// ESClient stands in for the elastic client built by jaeger's pkg/es/config,
// which uses an http.Client with Timeout: c.Timeout.
type ESClient struct {
	URL        string
	HTTPClient *http.Client
}

// NewESClient mirrors pkg/es/config: the http.Client carries the configured timeout.
func NewESClient(url string, timeout time.Duration) *ESClient {
	return &ESClient{URL: url, HTTPClient: &http.Client{Timeout: timeout}}
}

func (c *ESClient) post(ctx context.Context, path string, contentType string, body []byte, out interface{}) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("elastic: %s", resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

type SearchHit struct {
	Source json.RawMessage `json:"_source"`
}

type SearchHits struct {
	TotalHits int64        `json:"total"`
	Hits      []*SearchHit `json:"hits"`
}

type AggregationBucketKeyItem struct {
	Key string `json:"key"`
}

type SearchResult struct {
	Hits         *SearchHits `json:"hits"`
	Aggregations map[string]struct {
		Buckets []*AggregationBucketKeyItem `json:"buckets"`
	} `json:"aggregations"`
}

func (r *SearchResult) TotalHits() int64 {
	if r.Hits == nil {
		return 0
	}
	return r.Hits.TotalHits
}

type SearchService struct {
	c       *ESClient
	indices []string
	body    map[string]interface{}
}

func (c *ESClient) Search(indices ...string) *SearchService {
	return &SearchService{c: c, indices: indices, body: map[string]interface{}{}}
}

func (s *SearchService) Size(n int) *SearchService { s.body["size"] = n; return s }

func (s *SearchService) Aggregation(name string, agg interface{}) *SearchService {
	s.body["aggs"] = map[string]interface{}{name: agg}
	return s
}

func (s *SearchService) Query(q interface{}) *SearchService { s.body["query"] = q; return s }

func (s *SearchService) Do(ctx context.Context) (*SearchResult, error) {
	body, err := json.Marshal(s.body)
	if err != nil {
		return nil, err
	}
	var res SearchResult
	path := "/" + strings.Join(s.indices, ",") + "/_search?ignore_unavailable=true"
	if err := s.c.post(ctx, path, "application/json", body, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

type MultiSearchResult struct {
	Responses []*SearchResult `json:"responses"`
}

type MultiSearchService struct {
	c        *ESClient
	indices  []string
	requests []interface{}
}

func (c *ESClient) MultiSearch() *MultiSearchService { return &MultiSearchService{c: c} }

func (s *MultiSearchService) Add(requests ...interface{}) *MultiSearchService {
	s.requests = append(s.requests, requests...)
	return s
}

func (s *MultiSearchService) Index(indices ...string) *MultiSearchService {
	s.indices = append(s.indices, indices...)
	return s
}

func (s *MultiSearchService) Do(ctx context.Context) (*MultiSearchResult, error) {
	var buf bytes.Buffer
	for _, r := range s.requests {
		header, err := json.Marshal(map[string]interface{}{"index": strings.Join(s.indices, ","), "ignore_unavailable": true})
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		buf.Write(header)
		buf.WriteByte('\n')
		buf.Write(body)
		buf.WriteByte('\n')
	}
	var res MultiSearchResult
	if err := s.c.post(ctx, "/_msearch", "application/x-ndjson", buf.Bytes(), &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// ---- reduced plugin/storage/es/spanstore/reader.go ----

const (
	spanIndex          = "jaeger-span-"
	traceIDAggregation = "traceIDs"
	defaultNumTraces   = 100
)

var ErrUnableToFindTraceIDAggregation = errors.New("could not find aggregation of traceIDs")

type TraceID string

type Span struct {
	TraceID   TraceID   `json:"traceID"`
	StartTime time.Time `json:"startTime"`
}

type Trace struct {
	Spans []*Span
}

type TraceQueryParameters struct {
	ServiceName  string
	StartTimeMin time.Time
	StartTimeMax time.Time
	NumTraces    int
}

type timeRangeIndexFn func(indexName string, startTime time.Time, endTime time.Time) []string

// SpanReader can query for and load traces from ElasticSearch
type SpanReader struct {
	client *ESClient
	// The age of the oldest service/operation we will look for.
	maxSpanAge       time.Duration
	spanIndexPrefix  string
	timeRangeIndices timeRangeIndexFn
}

// SpanReaderParams holds constructor params for NewSpanReader
type SpanReaderParams struct {
	Client      *ESClient
	MaxSpanAge  time.Duration
	IndexPrefix string
}

// NewSpanReader returns a new SpanReader with a metrics.
func NewSpanReader(p SpanReaderParams) *SpanReader {
	return &SpanReader{
		client:           p.Client,
		maxSpanAge:       p.MaxSpanAge,
		spanIndexPrefix:  p.IndexPrefix + spanIndex,
		timeRangeIndices: timeRangeIndices,
	}
}

func timeRangeIndices(indexName string, startTime time.Time, endTime time.Time) []string {
	var indices []string
	firstIndex := indexName + startTime.UTC().Format("2006-01-02")
	currentIndex := indexName + endTime.UTC().Format("2006-01-02")
	for currentIndex != firstIndex {
		indices = append(indices, currentIndex)
		endTime = endTime.Add(-24 * time.Hour)
		currentIndex = indexName + endTime.UTC().Format("2006-01-02")
	}
	return append(indices, firstIndex)
}

// GetTrace takes a traceID and returns a Trace associated with that traceID
func (s *SpanReader) GetTrace(ctx context.Context, traceID TraceID) (*Trace, error) {
	currentTime := time.Now()
	traces, err := s.multiRead(ctx, []TraceID{traceID}, currentTime.Add(-s.maxSpanAge), currentTime)
	if err != nil {
		return nil, err
	}
	if len(traces) == 0 {
		return nil, errors.New("trace not found")
	}
	return traces[0], nil
}

// FindTraces retrieves traces that match the traceQuery
func (s *SpanReader) FindTraces(ctx context.Context, traceQuery *TraceQueryParameters) ([]*Trace, error) {
	uniqueTraceIDs, err := s.FindTraceIDs(ctx, traceQuery)
	if err != nil {
		return nil, err
	}
	return s.multiRead(ctx, uniqueTraceIDs, traceQuery.StartTimeMin, traceQuery.StartTimeMax)
}

// FindTraceIDs retrieves traces IDs that match the traceQuery
func (s *SpanReader) FindTraceIDs(ctx context.Context, traceQuery *TraceQueryParameters) ([]TraceID, error) {
	if traceQuery.NumTraces == 0 {
		traceQuery.NumTraces = defaultNumTraces
	}

	esTraceIDs, err := s.findTraceIDs(ctx, traceQuery)
	if err != nil {
		return nil, err
	}

	traceIDs := make([]TraceID, len(esTraceIDs))
	for i, id := range esTraceIDs {
		traceIDs[i] = TraceID(id)
	}
	return traceIDs, nil
}

func (s *SpanReader) multiRead(ctx context.Context, traceIDs []TraceID, startTime, endTime time.Time) ([]*Trace, error) {
	if len(traceIDs) == 0 {
		return []*Trace{}, nil
	}

	// Add an hour in both directions so that traces that straddle two indexes are retrieved.
	// i.e starts in one and ends in another.
	indices := s.timeRangeIndices(s.spanIndexPrefix, startTime.Add(-time.Hour), endTime.Add(time.Hour))

	searchAfterTime := make(map[TraceID]time.Time)
	totalDocumentsFetched := make(map[TraceID]int)
	tracesMap := make(map[TraceID]*Trace)
	for {
		if len(traceIDs) == 0 {
			break
		}
		searchRequests := make([]interface{}, len(traceIDs))
		for i, traceID := range traceIDs {
			query := map[string]interface{}{"term": map[string]interface{}{"traceID": string(traceID)}}
			request := map[string]interface{}{"query": query, "sort": []string{"startTime"}}
			if val, ok := searchAfterTime[traceID]; ok {
				request["search_after"] = []interface{}{val.UnixNano() / 1000}
			}
			searchRequests[i] = request
		}
		// set traceIDs to empty
		traceIDs = nil
		results, err := s.client.MultiSearch().Add(searchRequests...).Index(indices...).Do(ctx)

		if err != nil {
			return nil, err
		}

		if results.Responses == nil || len(results.Responses) == 0 {
			break
		}

		for _, result := range results.Responses {
			if result.Hits == nil || len(result.Hits.Hits) == 0 {
				continue
			}
			spans, err := collectSpans(result.Hits.Hits)
			if err != nil {
				return nil, err
			}
			lastSpan := spans[len(spans)-1]

			if traceSpan, ok := tracesMap[lastSpan.TraceID]; ok {
				traceSpan.Spans = append(traceSpan.Spans, spans...)
			} else {
				tracesMap[lastSpan.TraceID] = &Trace{Spans: spans}
			}

			totalDocumentsFetched[lastSpan.TraceID] = totalDocumentsFetched[lastSpan.TraceID] + len(result.Hits.Hits)
			if totalDocumentsFetched[lastSpan.TraceID] < int(result.TotalHits()) {
				traceIDs = append(traceIDs, lastSpan.TraceID)
				searchAfterTime[lastSpan.TraceID] = lastSpan.StartTime
			}
		}
	}

	var traces []*Trace
	for _, trace := range tracesMap {
		traces = append(traces, trace)
	}
	return traces, nil
}

func collectSpans(esSpansRaw []*SearchHit) ([]*Span, error) {
	spans := make([]*Span, len(esSpansRaw))
	for i, esSpanRaw := range esSpansRaw {
		var span Span
		if err := json.Unmarshal(esSpanRaw.Source, &span); err != nil {
			return nil, err
		}
		spans[i] = &span
	}
	return spans, nil
}

func (s *SpanReader) findTraceIDs(ctx context.Context, traceQuery *TraceQueryParameters) ([]string, error) {
	aggregation := map[string]interface{}{"terms": map[string]interface{}{"size": traceQuery.NumTraces, "field": "traceID"}}
	boolQuery := map[string]interface{}{"bool": map[string]interface{}{"must": []interface{}{
		map[string]interface{}{"match": map[string]interface{}{"process.serviceName": traceQuery.ServiceName}},
	}}}

	jaegerIndices := s.timeRangeIndices(s.spanIndexPrefix, traceQuery.StartTimeMin, traceQuery.StartTimeMax)

	searchService := s.client.Search(jaegerIndices...).
		Size(0). // set to 0 because we don't want actual documents.
		Aggregation(traceIDAggregation, aggregation).
		Query(boolQuery)

	searchResult, err := searchService.Do(ctx)
	if err != nil {
		return nil, fmt.Errorf("Search service failed: %w", err)
	}
	if searchResult.Aggregations == nil {
		return []string{}, nil
	}
	bucket, found := searchResult.Aggregations[traceIDAggregation]
	if !found {
		return nil, ErrUnableToFindTraceIDAggregation
	}

	traceIDs := make([]string, len(bucket.Buckets))
	for i, b := range bucket.Buckets {
		traceIDs[i] = b.Key
	}
	return traceIDs, nil
}
