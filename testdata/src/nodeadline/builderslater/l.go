// Package builderslater sets a client's Timeout on a value it did not just
// build: the package's clients may all be bounded later, so none is judged
// by how it was built.
package builderslater

import (
	"context"
	"net/http"
	"time"
)

// The fix: the package sets the field's Timeout before the calls.
type TimedAPIClient struct {
	URL  string
	HTTP http.Client
}

func NewTimedAPIClient(url string) *TimedAPIClient {
	c := &TimedAPIClient{URL: url, HTTP: http.Client{Transport: http.DefaultTransport}}
	c.HTTP.Timeout = time.Minute
	return c
}

func (c *TimedAPIClient) List() (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, c.URL, nil)
	if err != nil {
		return nil, err
	}
	return c.HTTP.Do(req)
}
