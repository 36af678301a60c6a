// Recall case nd-tidboperator-promquery
// Source: github.com/pingcap/tidb-operator commit 37489db6d6a8dda4b18b66c4038ba93e6f6f78d2 (pkg/autoscaler/autoscaler/calculate/calculate.go)
// Link: https://github.com/pingcap/tidb-operator/commit/37489db6d6a8dda4b18b66c4038ba93e6f6f78d2
// Bug: queryMetricsFromPrometheus builds the request with http.NewRequest (context.Background) and passes req.Context() to the Prometheus client, whose http.Client has no Timeout, so a stuck Prometheus hangs the autoscaler forever.
// Fix: the request is built with http.NewRequestWithContext on a context.WithTimeout(context.Background(), 5s) context.
// Rule: nodeadline
package calculate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	TikvSumCpuMetricsPattern     = `sum(increase(tikv_thread_cpu_seconds_total{cluster="%s"}[%s])) by (instance)`
	TidbSumCpuMetricsPattern     = `sum(increase(process_cpu_seconds_total{cluster="%s",job="tidb"}[%s])) by (instance)`
	InvalidTacMetricConfigureMsg = "tac[%s/%s] metric configuration invalid"
	queryPath                    = "/api/v1/query"

	float64EqualityThreshold = 1e-9
	httpRequestTimeout       = 5
)

const statusSuccess = "success"

// TidbClusterAutoScaler is a stand-in for v1alpha1.TidbClusterAutoScaler.
type TidbClusterAutoScaler struct {
	Namespace string
	Name      string
}

type SingleQuery struct {
	Endpoint  string
	Timestamp int64
	Quary     string
	Instances []string
}

// Response is the Prometheus query API response.
type Response struct {
	Status string `json:"status"`
	Data   Data   `json:"data"`
}

type Data struct {
	ResultType string   `json:"resultType"`
	Result     []Result `json:"result"`
}

type Result struct {
	Metric Metric        `json:"metric"`
	Value  []interface{} `json:"value"`
}

type Metric struct {
	Instance string `json:"instance"`
}

// Client is a stand-in for github.com/prometheus/client_golang/api.Client.
type Client interface {
	URL(ep string, args map[string]string) *url.URL
	Do(context.Context, *http.Request) (*http.Response, []byte, error)
}

// NewClient returns a Client backed by a plain *http.Client (no overall timeout),
// like api.NewClient(api.Config{Address: ...}) with the default round tripper.
func NewClient(address string) (Client, error) {
	u, err := url.Parse(address)
	if err != nil {
		return nil, err
	}
	return &httpClient{endpoint: u, client: http.Client{Transport: http.DefaultTransport}}, nil
}

type httpClient struct {
	endpoint *url.URL
	client   http.Client
}

func (c *httpClient) URL(ep string, args map[string]string) *url.URL {
	u := *c.endpoint
	u.Path = ep
	return &u
}

func (c *httpClient) Do(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	if ctx != nil {
		req = req.WithContext(ctx)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func queryMetricsFromPrometheus(tac *TidbClusterAutoScaler, client Client, sq *SingleQuery, resp *Response) error {
	query := sq.Quary
	timestamp := sq.Timestamp

	ctx, cancel := context.WithTimeout(context.Background(), time.Second*httpRequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s%s", sq.Endpoint, queryPath), nil)
	if err != nil {
		return err
	}
	q := req.URL.Query()
	q.Add("query", query)
	q.Add("time", fmt.Sprintf("%d", timestamp))
	req.URL.RawQuery = q.Encode()
	r, body, err := client.Do(req.Context(), req)
	if err != nil {
		return err
	}
	if r.StatusCode != http.StatusOK {
		return fmt.Errorf("tac[%s/%s] query error, status code:%d", tac.Namespace, tac.Name, r.StatusCode)
	}
	err = json.Unmarshal(body, resp)
	if err != nil {
		return err
	}
	if resp.Status != statusSuccess {
		return fmt.Errorf("tac[%s/%s] query error, response status: %v", tac.Namespace, tac.Name, resp.Status)
	}
	return nil
}

// sumForEachInstance sum the value in Response of each instance from Prometheus
func sumForEachInstance(instances []string, resp *Response) (float64, error) {
	if resp == nil {
		return 0, fmt.Errorf("metrics response from Promethus can't be empty")
	}
	s := map[string]struct{}{}
	for _, instance := range instances {
		s[instance] = struct{}{}
	}
	sum := 0.0
	if len(resp.Data.Result) < 1 {
		return 0, fmt.Errorf("metrics Response return zero info")
	}
	for _, r := range resp.Data.Result {
		if _, ok := s[r.Metric.Instance]; ok {
			v, err := strconv.ParseFloat(r.Value[1].(string), 64)
			if err != nil {
				return 0.0, err
			}
			sum = sum + v
		}
	}
	return sum, nil
}

// CalculateCpuSum queries Prometheus and sums the cpu usage of the given instances
// (reduced from calculate/cpu.go, the caller of queryMetricsFromPrometheus).
func CalculateCpuSum(tac *TidbClusterAutoScaler, client Client, sq *SingleQuery) (float64, error) {
	r := &Response{}
	err := queryMetricsFromPrometheus(tac, client, sq, r)
	if err != nil {
		return 0, err
	}
	return sumForEachInstance(sq.Instances, r)
}

// calculate func calculate the recommended replicas by given usageRatio and currentReplicas
func calculate(currentValue float64, targetValue float64, currentReplicas int32) (int32, error) {
	if almostEqual(targetValue, 0.0) {
		return -1, fmt.Errorf("targetValue in calculate func can't be zero")
	}
	usageRatio := currentValue / targetValue
	return int32(math.Ceil(usageRatio * float64(currentReplicas))), nil
}

func almostEqual(a, b float64) bool {
	return math.Abs(a-b) <= float64EqualityThreshold
}
