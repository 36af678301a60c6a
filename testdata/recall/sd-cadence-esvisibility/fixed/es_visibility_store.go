// Recall case sd-cadence-esvisibility
// Source: github.com/cadence-workflow/cadence commit de605fa3c90ff5012d374bbfb1755e178407427f (common/persistence/elasticsearch/esVisibilityStore.go)
// Link: https://github.com/cadence-workflow/cadence/commit/de605fa3c90ff5012d374bbfb1755e178407427f
// Bug: esVisibilityStore.ListOpenWorkflowExecutions/CountWorkflowExecutions drop the caller's ctx (`_ context.Context`) and getSearchResult/Count query Elasticsearch with ctx := context.Background(), ignoring the request deadline.
// Fix: name the ctx parameter and thread it into getSearchResult and esClient.Search/Count (PR #3630 "Enforce context timeout in ES persistence implementation").
// Rule: sharedeadline
package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// ---- persistence types (reduced) ----

// InternalListWorkflowExecutionsRequest is a list request.
type InternalListWorkflowExecutionsRequest struct {
	DomainUUID        string
	EarliestStartTime int64
	LatestStartTime   int64
	PageSize          int
	NextPageToken     []byte
}

// InternalListWorkflowExecutionsResponse is a list response.
type InternalListWorkflowExecutionsResponse struct {
	Executions    []json.RawMessage
	NextPageToken []byte
}

// CountWorkflowExecutionsRequest is a count request.
type CountWorkflowExecutionsRequest struct {
	Domain string
	Query  string
}

// CountWorkflowExecutionsResponse is a count response.
type CountWorkflowExecutionsResponse struct {
	Count int64
}

// InternalServiceError is returned on backend failures.
type InternalServiceError struct{ Message string }

func (e *InternalServiceError) Error() string { return e.Message }

// ---- stub of common/elasticsearch GenericClient (olivere/elastic over HTTP) ----

// SearchParameters holds a search request.
type SearchParameters struct {
	Index    string
	Query    map[string]interface{}
	From     int
	PageSize int
}

// SearchResult is a search response.
type SearchResult struct {
	Hits []json.RawMessage `json:"hits"`
}

// esClient talks to Elasticsearch over HTTP with the ctx it is given.
type esClient struct {
	url string
	hc  *http.Client
}

func (c *esClient) post(ctx context.Context, path string, body interface{}, out interface{}) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("elasticsearch: %s", resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// Search runs a search.
func (c *esClient) Search(ctx context.Context, p *SearchParameters) (*SearchResult, error) {
	body := map[string]interface{}{"query": p.Query, "from": p.From, "size": p.PageSize}
	var res SearchResult
	if err := c.post(ctx, "/"+p.Index+"/_search", body, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Count counts documents.
func (c *esClient) Count(ctx context.Context, index, query string) (int64, error) {
	var res struct {
		Count int64 `json:"count"`
	}
	if err := c.post(ctx, "/"+index+"/_count", json.RawMessage(query), &res); err != nil {
		return 0, err
	}
	return res.Count, nil
}

// ---- visibility store ----

type esVisibilityPageToken struct {
	From int
}

type esVisibilityStore struct {
	esClient *esClient
	index    string
}

// visibilityManagerImpl is the persistence layer entry that calls the store with the request ctx.
type visibilityManagerImpl struct {
	persistence *esVisibilityStore
}

func (v *visibilityManagerImpl) ListOpenWorkflowExecutions(ctx context.Context, request *InternalListWorkflowExecutionsRequest) (*InternalListWorkflowExecutionsResponse, error) {
	return v.persistence.ListOpenWorkflowExecutions(ctx, request)
}

func (v *visibilityManagerImpl) CountWorkflowExecutions(ctx context.Context, request *CountWorkflowExecutionsRequest) (*CountWorkflowExecutionsResponse, error) {
	return v.persistence.CountWorkflowExecutions(ctx, request)
}

func (v *esVisibilityStore) ListOpenWorkflowExecutions(
	ctx context.Context,
	request *InternalListWorkflowExecutionsRequest,
) (*InternalListWorkflowExecutionsResponse, error) {
	token, err := v.getNextPageToken(request.NextPageToken)
	if err != nil {
		return nil, err
	}

	isOpen := true
	searchResult, err := v.getSearchResult(ctx, request, token, nil, isOpen)
	if err != nil {
		return nil, &InternalServiceError{
			Message: fmt.Sprintf("ListOpenWorkflowExecutions failed. Error: %v", err),
		}
	}

	return &InternalListWorkflowExecutionsResponse{Executions: searchResult.Hits}, nil
}

func (v *esVisibilityStore) CountWorkflowExecutions(
	ctx context.Context,
	request *CountWorkflowExecutionsRequest,
) (
	*CountWorkflowExecutionsResponse, error) {

	queryDSL, err := getESQueryDSLForCount(request)
	if err != nil {
		return nil, err
	}

	count, err := v.esClient.Count(ctx, v.index, queryDSL)
	if err != nil {
		return nil, &InternalServiceError{
			Message: fmt.Sprintf("CountWorkflowExecutions failed. Error: %v", err),
		}
	}

	response := &CountWorkflowExecutionsResponse{Count: count}
	return response, nil
}

func getESQueryDSLForCount(request *CountWorkflowExecutionsRequest) (string, error) {
	if request.Domain == "" {
		return "", errors.New("domain is required")
	}
	q := map[string]interface{}{
		"query": map[string]interface{}{
			"bool": map[string]interface{}{
				"must": []interface{}{
					map[string]interface{}{"match_phrase": map[string]interface{}{"DomainID": request.Domain}},
					map[string]interface{}{"query_string": map[string]interface{}{"query": request.Query}},
				},
			},
		},
	}
	b, err := json.Marshal(q)
	return string(b), err
}

func (v *esVisibilityStore) getNextPageToken(token []byte) (*esVisibilityPageToken, error) {
	var result *esVisibilityPageToken
	if len(token) > 0 {
		result = &esVisibilityPageToken{}
		if err := json.Unmarshal(token, result); err != nil {
			return nil, err
		}
	} else {
		result = &esVisibilityPageToken{}
	}
	return result, nil
}

func (v *esVisibilityStore) getSearchResult(
	ctx context.Context,
	request *InternalListWorkflowExecutionsRequest,
	token *esVisibilityPageToken,
	matchQuery map[string]interface{},
	isOpen bool,
) (*SearchResult, error) {

	rangeField := "CloseTime"
	if isOpen {
		rangeField = "StartTime"
	}
	must := []interface{}{
		map[string]interface{}{"match": map[string]interface{}{"DomainID": request.DomainUUID}},
	}
	if matchQuery != nil {
		must = append(must, matchQuery)
	}
	boolQuery := map[string]interface{}{
		"bool": map[string]interface{}{
			"must": must,
			"filter": map[string]interface{}{"range": map[string]interface{}{rangeField: map[string]interface{}{
				"gte": request.EarliestStartTime, "lte": request.LatestStartTime,
			}}},
		},
	}

	params := &SearchParameters{
		Index:    v.index,
		Query:    boolQuery,
		From:     token.From,
		PageSize: request.PageSize,
	}

	return v.esClient.Search(ctx, params)
}
