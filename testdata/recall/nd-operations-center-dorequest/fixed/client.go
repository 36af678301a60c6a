// Recall case nd-operations-center-dorequest
// Source: github.com/FuturFusion/operations-center commit 4489fa5e9d86ee39c42bd9d2e5b7282dba6386d6 (cmd/operations-center/internal/client/client.go, cluster.go)
// Link: https://github.com/FuturFusion/operations-center/commit/4489fa5e9d86ee39c42bd9d2e5b7282dba6386d6
// Bug: doRequest builds the API request with http.NewRequest (no context) and sends it through http.DefaultClient (no Timeout), so CLI calls like GetClusters hang forever on an unresponsive server and cannot be cancelled.
// Fix: Thread the caller's ctx (cmd.Context()) through GetClusters/GetWithFilterClusters into doRequest and use http.NewRequestWithContext.
// Rule: nodeadline
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

const apiVersionPrefix = "/1.0"

type httpClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Response is a stand-in for shared/api.Response.
type Response struct {
	Code     int             `json:"error_code"`
	Error    string          `json:"error"`
	Metadata json.RawMessage `json:"metadata"`
}

// Cluster is a stand-in for shared/api.Cluster.
type Cluster struct {
	Name string `json:"name"`
}

// ClusterFilter is a stand-in for provisioning.ClusterFilter.
type ClusterFilter struct{}

func (f ClusterFilter) AppendToURLValues(q url.Values) url.Values { return q }

type OperationsCenterClient struct {
	httpClient httpClient
	baseURL    string
}

func New(serverPort string) (OperationsCenterClient, error) {
	c := OperationsCenterClient{}

	httpClient := http.DefaultClient

	httpClient.Transport = &http.Transport{
		TLSClientConfig: &tls.Config{
			InsecureSkipVerify: true,
		},
	}

	c.httpClient = httpClient
	c.baseURL = fmt.Sprintf("https://%s", serverPort)

	return c, nil
}

func (c OperationsCenterClient) doRequest(ctx context.Context, method string, endpoint string, query url.Values, content []byte) (*Response, error) {
	apiEndpoint, err := url.JoinPath(apiVersionPrefix, endpoint)
	if err != nil {
		return nil, err
	}

	u, err := url.Parse(fmt.Sprintf("%s%s?%s", c.baseURL, apiEndpoint, query.Encode()))
	if err != nil {
		return nil, err
	}

	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewBuffer(content))
	if err != nil {
		return nil, err
	}

	req.Header.Set("Content-Type", "application/json")

	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, err
	}

	defer resp.Body.Close()

	decoder := json.NewDecoder(resp.Body)
	response := Response{}

	err = decoder.Decode(&response)
	if err != nil {
		if strings.Contains(err.Error(), "invalid character 'C'") {
			return nil, fmt.Errorf("Client sent an HTTP request to an HTTPS server")
		}

		return nil, err
	}

	if response.Code != 0 {
		return &response, fmt.Errorf("Received an error from the server: %s", response.Error)
	}

	return &response, nil
}

func (c OperationsCenterClient) GetClusters(ctx context.Context) ([]Cluster, error) {
	return c.GetWithFilterClusters(ctx, ClusterFilter{})
}

func (c OperationsCenterClient) GetWithFilterClusters(ctx context.Context, filter ClusterFilter) ([]Cluster, error) {
	query := url.Values{}
	query.Add("recursion", "1")
	query = filter.AppendToURLValues(query)

	response, err := c.doRequest(ctx, http.MethodGet, "/provisioning/clusters", query, nil)
	if err != nil {
		return nil, err
	}

	clusters := []Cluster{}
	err = json.Unmarshal(response.Metadata, &clusters)
	if err != nil {
		return nil, err
	}

	return clusters, nil
}

// cmdClusterList.Run stand-in (cmds/provisioning/cluster.go): ctx is cmd.Context().
func runClusterList(ctx context.Context, oc OperationsCenterClient) error {
	clusters, err := oc.GetClusters(ctx)
	if err != nil {
		return err
	}

	for _, cl := range clusters {
		fmt.Println(cl.Name)
	}

	return nil
}
