// Recall case sd-gojira-searchpages
// Source: github.com/andygrunwald/go-jira commit 823e39fa573051085859c247e74847e1af56bfa9 (issue.go)
// Link: https://github.com/andygrunwald/go-jira/commit/823e39fa573051085859c247e74847e1af56bfa9
// Bug: IssueService.SearchPagesWithContext(ctx, ...) fetches every page through s.Search, which calls SearchWithContext(context.Background(), ...), so the caller's deadline/cancellation never reaches the paged HTTP requests
// Fix: SearchPagesWithContext calls s.SearchWithContext(ctx, ...) for the first and every following page
// Rule: sharedeadline
package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client is the reduced jira.Client.
type Client struct {
	client  *http.Client
	baseURL *url.URL

	Issue *IssueService
}

// NewClient returns a Jira client using the given http.Client (supplied by
// the caller) and base URL.
func NewClient(httpClient *http.Client, baseURL string) (*Client, error) {
	parsedBaseURL, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	// Make sure the given URL end with a slash
	if !strings.HasSuffix(parsedBaseURL.Path, "/") {
		parsedBaseURL.Path += "/"
	}

	c := &Client{
		client:  httpClient,
		baseURL: parsedBaseURL,
	}
	c.Issue = &IssueService{client: c}
	return c, nil
}

// NewRequestWithContext creates an API request.
func (c *Client) NewRequestWithContext(ctx context.Context, method, urlStr string, body interface{}) (*http.Request, error) {
	rel, err := url.Parse(urlStr)
	if err != nil {
		return nil, err
	}
	// Relative URLs should be specified without a preceding slash since baseURL will have the trailing slash
	rel.Path = strings.TrimLeft(rel.Path, "/")

	u := c.baseURL.ResolveReference(rel)

	var buf io.ReadWriter
	if body != nil {
		buf = new(bytes.Buffer)
		err = json.NewEncoder(buf).Encode(body)
		if err != nil {
			return nil, err
		}
	}

	req, err := http.NewRequestWithContext(ctx, method, u.String(), buf)
	if err != nil {
		return nil, err
	}

	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// Do sends an API request and returns the API response.
func (c *Client) Do(req *http.Request, v interface{}) (*Response, error) {
	httpResp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}

	err = CheckResponse(httpResp)
	if err != nil {
		httpResp.Body.Close()
		return newResponse(httpResp, nil), err
	}

	defer httpResp.Body.Close()
	if v != nil {
		err = json.NewDecoder(httpResp.Body).Decode(v)
	}

	resp := newResponse(httpResp, v)
	return resp, err
}

// CheckResponse checks the API response for errors.
func CheckResponse(r *http.Response) error {
	if c := r.StatusCode; 200 <= c && c <= 299 {
		return nil
	}

	err := fmt.Errorf("request failed. Please analyze the request body for more details. Status code: %d", r.StatusCode)
	return err
}

// Response represents Jira API response.
type Response struct {
	*http.Response

	StartAt    int
	MaxResults int
	Total      int
}

func newResponse(r *http.Response, v interface{}) *Response {
	resp := &Response{Response: r}
	if sr, ok := v.(*searchResult); ok {
		resp.StartAt = sr.StartAt
		resp.MaxResults = sr.MaxResults
		resp.Total = sr.Total
	}
	return resp
}

// NewJiraError is reduced to wrapping the transport/HTTP error.
func NewJiraError(resp *Response, httpError error) error {
	return fmt.Errorf("jira request failed: %w", httpError)
}
