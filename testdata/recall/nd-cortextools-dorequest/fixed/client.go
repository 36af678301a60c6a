// Recall case nd-cortextools-dorequest
// Source: github.com/grafana/cortex-tools commit 96f43369dac449188dacd2e8962c6d7d9f9be55b (pkg/client/client.go)
// Link: https://github.com/grafana/cortex-tools/commit/96f43369dac449188dacd2e8962c6d7d9f9be55b
// Bug: Query/CreateAlertmanagerConfig take a ctx but doRequest/buildRequest build the request with http.NewRequest (context.Background) and the http.Client has no Timeout, so the HTTP call to the Cortex API has no deadline and ignores cancellation.
// Fix: ctx is threaded through doRequest and buildRequest, which now uses http.NewRequestWithContext(ctx, ...).
// Rule: nodeadline
package client

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const alertmanagerAPIPath = "/api/v1/alerts"

var ErrResourceNotFound = errors.New("requested resource not found")

// Config is used to configure a Ruler Client
type Config struct {
	User      string
	Key       string
	Address   string
	ID        string
	AuthToken string
}

// CortexClient is used to get and load rules into a cortex ruler
type CortexClient struct {
	user      string
	key       string
	id        string
	endpoint  *url.URL
	Client    http.Client
	authToken string
}

// New returns a new Client
func New(cfg Config) (*CortexClient, error) {
	endpoint, err := url.Parse(cfg.Address)
	if err != nil {
		return nil, err
	}
	client := http.Client{}
	return &CortexClient{
		user:      cfg.User,
		key:       cfg.Key,
		id:        cfg.ID,
		endpoint:  endpoint,
		Client:    client,
		authToken: cfg.AuthToken,
	}, nil
}

// Query executes a PromQL query against the Cortex cluster.
func (r *CortexClient) Query(ctx context.Context, query string) (*http.Response, error) {
	query = fmt.Sprintf("query=%s&time=%d", query, time.Now().Unix())
	escapedQuery := url.PathEscape(query)

	res, err := r.doRequest(ctx, "/api/prom/api/v1/query?"+escapedQuery, "GET", nil)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// CreateAlertmanagerConfig creates a new alertmanager config
func (r *CortexClient) CreateAlertmanagerConfig(ctx context.Context, payload []byte) error {
	res, err := r.doRequest(ctx, alertmanagerAPIPath, "POST", payload)
	if err != nil {
		return err
	}
	res.Body.Close()
	return nil
}

// DeleteAlermanagerConfig deletes the users alertmanagerconfig
func (r *CortexClient) DeleteAlermanagerConfig(ctx context.Context) error {
	res, err := r.doRequest(ctx, alertmanagerAPIPath, "DELETE", nil)
	if err != nil {
		return err
	}
	res.Body.Close()
	return nil
}

func (r *CortexClient) doRequest(ctx context.Context, path, method string, payload []byte) (*http.Response, error) {
	req, err := buildRequest(ctx, path, method, *r.endpoint, payload)
	if err != nil {
		return nil, err
	}

	if (r.user != "" || r.key != "") && r.authToken != "" {
		return nil, errors.New("atmost one of basic auth or auth token should be configured")
	}
	if r.user != "" {
		req.SetBasicAuth(r.user, r.key)
	} else if r.key != "" {
		req.SetBasicAuth(r.id, r.key)
	}
	if r.authToken != "" {
		req.Header.Add("Authorization", "Bearer "+r.authToken)
	}
	req.Header.Add("X-Scope-OrgID", r.id)

	resp, err := r.Client.Do(req)
	if err != nil {
		log.Printf("error during request to cortex api: %s %s: %v", req.Method, req.URL, err)
		return nil, err
	}

	err = checkResponse(resp)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// checkResponse checks the API response for errors
func checkResponse(r *http.Response) error {
	if 200 <= r.StatusCode && r.StatusCode <= 299 {
		return nil
	}
	var msg, errMsg string
	scanner := bufio.NewScanner(io.LimitReader(r.Body, 512))
	if scanner.Scan() {
		msg = scanner.Text()
	}
	if msg == "" {
		errMsg = fmt.Sprintf("server returned HTTP status %s", r.Status)
	} else {
		errMsg = fmt.Sprintf("server returned HTTP status %s: %s", r.Status, msg)
	}
	if r.StatusCode == http.StatusNotFound {
		return ErrResourceNotFound
	}
	return errors.New(errMsg)
}

func joinPath(baseURLPath, targetPath string) string {
	return strings.TrimSuffix(baseURLPath, "/") + targetPath
}

func buildRequest(ctx context.Context, p, m string, endpoint url.URL, payload []byte) (*http.Request, error) {
	// parse path parameter again (as it already contains escaped path information
	pURL, err := url.Parse(p)
	if err != nil {
		return nil, err
	}
	if pURL.RawPath != "" || endpoint.RawPath != "" {
		endpoint.RawPath = joinPath(endpoint.EscapedPath(), pURL.EscapedPath())
	}
	endpoint.Path = joinPath(endpoint.Path, pURL.Path)
	return http.NewRequestWithContext(ctx, m, endpoint.String(), bytes.NewBuffer(payload))
}
