// Recall case sc-typesense-go-multinode-canceled
// Source: github.com/typesense/typesense-go commit 5da84e12ff657c16bec2c49e7e47306e69c34d2c (typesense/api_call.go)
// Link: https://github.com/typesense/typesense-go/pull/180
// Bug: APICall.Do treats the error from a request whose context was cancelled like a node failure: it marks the node unhealthy and retries the request on the next node instead of returning the cancellation.
// Fix: return early with the error when errors.Is(err, context.Canceled).
// Rule: swallowcancel
package typesense

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// HTTPRequestDoer is the interface of circuit.HTTPRequestDoer.
type HTTPRequestDoer interface {
	Do(req *http.Request) (*http.Response, error)
}

type ClientConfig struct {
	Nodes               []string
	NearestNode         string
	NumRetries          int
	HealthcheckInterval time.Duration
	ConnectionTimeout   time.Duration
	APIKey              string
}

const (
	defaultHealthcheckInterval = 1 * time.Minute
	defaultConnectionTimeout   = 5 * time.Second
)

// ---------------------------------------------------------------------------
// typesense/api_call.go (the upstream time.Sleep(a.retryInterval) between
// attempts is cut from this reduction)
// ---------------------------------------------------------------------------

type APICall struct {
	client               HTTPRequestDoer
	nearestNode          *Node
	nodes                []Node
	currentNodeIndex     int
	healthcheckInterval  time.Duration
	numRetriesPerRequest int
}

type Node struct {
	isHealthy           bool
	index               interface{}
	url                 string
	lastAccessTimestamp int64
}

var apiCallTimeNow = time.Now

const (
	HEALTHY   = true
	UNHEALTHY = false
)

func NewAPICall(client HTTPRequestDoer, config *ClientConfig) *APICall {
	apiCall := &APICall{
		currentNodeIndex:     -1,
		healthcheckInterval:  config.HealthcheckInterval,
		client:               client,
		numRetriesPerRequest: config.NumRetries,
	}

	// default numRetries is the number of nodes (+1 if nearestNode is specified)
	if config.NumRetries == 0 {
		apiCall.numRetriesPerRequest = len(config.Nodes)
		if config.NearestNode != "" {
			apiCall.numRetriesPerRequest++
		}
	}

	apiCall.initializeNodesMetadata(config)

	return apiCall
}

func (a *APICall) Do(req *http.Request) (*http.Response, error) {
	// Default is to not load balance for backward compatibility
	if len(a.nodes) == 0 {
		res, err := a.client.Do(req)
		return res, err
	}

	var lastResponse *http.Response
	var lastError error

	for numTries := 0; numTries < a.numRetriesPerRequest; numTries++ {
		node := a.getNextNode()

		replaceRequestHostname(req, node.url)

		response, err := a.client.Do(req)

		// return early if request is aborted
		if errors.Is(err, context.Canceled) {
			return nil, err
		}

		// If connection timeouts or status 5xx, retry with the next node
		if err != nil || response.StatusCode >= 500 {
			lastResponse = response
			lastError = err

			setNodeHealthCheck(node, UNHEALTHY)
			continue
		} else if response.StatusCode >= 1 && response.StatusCode <= 499 {
			// Treat any status code > 0 and < 500 to be an indication that node is healthy
			// We exclude 0 since some clients return 0 when request fails
			setNodeHealthCheck(node, HEALTHY)
			return response, err
		}
	}

	return lastResponse, lastError
}

func (a *APICall) getNextNode() *Node {
	if a.nearestNode != nil && (a.nearestNode.isHealthy || a.nodeDueForHealthcheck(a.nearestNode)) {
		return a.nearestNode
	}

	candidateNode := &a.nodes[0]
	for i := 0; i <= len(a.nodes); i++ {
		a.currentNodeIndex = (a.currentNodeIndex + 1) % len(a.nodes)
		candidateNode = &a.nodes[a.currentNodeIndex]
		if candidateNode.isHealthy || a.nodeDueForHealthcheck(candidateNode) {
			return candidateNode
		}
	}
	return candidateNode
}

func (a *APICall) initializeNodesMetadata(config *ClientConfig) {
	if config.NearestNode != "" {
		a.nearestNode = &Node{index: "nearestNode", url: config.NearestNode}
		setNodeHealthCheck(a.nearestNode, HEALTHY)
	}
	a.nodes = make([]Node, 0, len(config.Nodes))
	for i, v := range config.Nodes {
		a.nodes = append(a.nodes, Node{isHealthy: true, index: i, url: v, lastAccessTimestamp: apiCallTimeNow().UnixMilli()})
	}
}

func replaceRequestHostname(req *http.Request, urlToReplace string) {
	newURL, _ := url.Parse(urlToReplace)

	req.URL.Scheme = newURL.Scheme
	req.URL.Host = newURL.Host
	req.Host = newURL.Host
}

func setNodeHealthCheck(node *Node, isHealthy bool) {
	node.isHealthy = isHealthy
	node.lastAccessTimestamp = apiCallTimeNow().UnixMilli()
}

func (a *APICall) nodeDueForHealthcheck(node *Node) bool {
	return apiCallTimeNow().UnixMilli()-node.lastAccessTimestamp > a.healthcheckInterval.Milliseconds()
}

// ---------------------------------------------------------------------------
// Stand-in for the generated api client + typesense.Client wiring.
// ---------------------------------------------------------------------------

type apiClient struct {
	server string
	apiKey string
	doer   HTTPRequestDoer
}

type SearchResult struct {
	Found int `json:"found"`
}

// SearchCollectionWithResponse mirrors the generated client: the request is
// bound to ctx and handed to the configured doer (the APICall).
func (c *apiClient) SearchCollectionWithResponse(ctx context.Context, collectionName, q string) (*SearchResult, error) {
	u := c.server + "/collections/" + url.PathEscape(collectionName) + "/documents/search?q=" + url.QueryEscape(q)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-TYPESENSE-API-KEY", c.apiKey)
	resp, err := c.doer.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var r SearchResult
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, err
	}
	return &r, nil
}

type Client struct {
	apiConfig *ClientConfig
	apiClient *apiClient
}

func NewClient(config *ClientConfig) *Client {
	if config.HealthcheckInterval == 0 {
		config.HealthcheckInterval = defaultHealthcheckInterval
	}
	if config.ConnectionTimeout == 0 {
		config.ConnectionTimeout = defaultConnectionTimeout
	}
	doer := NewAPICall(&http.Client{Timeout: config.ConnectionTimeout}, config)
	serverURL := config.NearestNode
	if serverURL == "" && len(config.Nodes) != 0 {
		serverURL = config.Nodes[0]
	}
	return &Client{apiConfig: config, apiClient: &apiClient{server: serverURL, apiKey: config.APIKey, doer: doer}}
}

// Search is documents.Search for one collection.
func (c *Client) Search(ctx context.Context, collectionName, q string) (*SearchResult, error) {
	return c.apiClient.SearchCollectionWithResponse(ctx, collectionName, q)
}
