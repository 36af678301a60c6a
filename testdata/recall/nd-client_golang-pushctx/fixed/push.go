// Recall case nd-client_golang-pushctx
// Source: github.com/prometheus/client_golang commit 0bab4fda94f40bc0147c43dfc46a3308bc5c838d (prometheus/push/push.go)
// Link: https://github.com/prometheus/client_golang/commit/0bab4fda94f40bc0147c43dfc46a3308bc5c838d
// Bug: Pusher.Push/push build the request with http.NewRequest (no context) and send it with the default &http.Client{} (no Timeout), so a push to an unresponsive Pushgateway can block forever and cannot be cancelled.
// Fix: added PushContext(ctx) and threaded ctx into push(), which now uses http.NewRequestWithContext(ctx, ...).
// Rule: nodeadline
package push

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

const contentTypeHeader = "Content-Type"

var errJobEmpty = errors.New("job name is empty")

// HTTPDoer is an interface for the one method of http.Client that is used by Pusher
type HTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// Pusher manages a push to the Pushgateway. Use New to create one, configure it
// with its methods, and finally use the Add or Push method to push.
type Pusher struct {
	error error

	url, job string
	grouping map[string]string

	// gather stands in for prometheus.Gatherers + expfmt encoding.
	gather func() ([]byte, error)

	client             HTTPDoer
	useBasicAuth       bool
	username, password string
}

// New creates a new Pusher to push to the provided URL with the provided job
// name (which must not be empty).
func New(url, job string, gather func() ([]byte, error)) *Pusher {
	var err error
	if job == "" {
		err = errJobEmpty
	}
	if !strings.Contains(url, "://") {
		url = "http://" + url
	}
	url = strings.TrimSuffix(url, "/")

	return &Pusher{
		error:    err,
		url:      url,
		job:      job,
		grouping: map[string]string{},
		gather:   gather,
		client:   &http.Client{},
	}
}

// fullURL assembles the URL used to push/delete metrics and returns it as a string.
func (p *Pusher) fullURL() string {
	urlComponents := []string{"job", url.PathEscape(p.job)}
	for ln, lv := range p.grouping {
		urlComponents = append(urlComponents, ln, url.PathEscape(lv))
	}
	return fmt.Sprintf("%s/metrics/%s", p.url, strings.Join(urlComponents, "/"))
}

// PushContext is like Push but includes a context.
//
// If the context expires before HTTP request is complete, an error is returned.
// (Upstream keeps Push() as push(context.Background(), ...) for compatibility;
// that legacy entry point is left out of this reduction.)
func (p *Pusher) PushContext(ctx context.Context) error {
	return p.push(ctx, http.MethodPut)
}

func (p *Pusher) push(ctx context.Context, method string) error {
	if p.error != nil {
		return p.error
	}
	body, err := p.gather()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, p.fullURL(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	if p.useBasicAuth {
		req.SetBasicAuth(p.username, p.password)
	}
	req.Header.Set(contentTypeHeader, "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Depending on version and configuration of the PGW, StatusOK or StatusAccepted may be returned.
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		body, _ := io.ReadAll(resp.Body) // Ignore any further error as this is for an error message only.
		return fmt.Errorf("unexpected status code %d while pushing to %s: %s", resp.StatusCode, p.fullURL(), body)
	}
	return nil
}
