// Recall case sd-gojira-searchpages
// Source: github.com/andygrunwald/go-jira commit 823e39fa573051085859c247e74847e1af56bfa9 (issue.go)
// Link: https://github.com/andygrunwald/go-jira/commit/823e39fa573051085859c247e74847e1af56bfa9
// Bug: IssueService.SearchPagesWithContext(ctx, ...) fetches every page through s.Search, which calls SearchWithContext(context.Background(), ...), so the caller's deadline/cancellation never reaches the paged HTTP requests
// Fix: SearchPagesWithContext calls s.SearchWithContext(ctx, ...) for the first and every following page
// Rule: sharedeadline
package jira

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// IssueService handles Issues for the Jira instance / API.
type IssueService struct {
	client *Client
}

// Issue is the reduced jira.Issue.
type Issue struct {
	ID  string `json:"id,omitempty"`
	Key string `json:"key,omitempty"`
}

// SearchOptions specifies the optional parameters to various List methods that
// support pagination.
type SearchOptions struct {
	StartAt       int
	MaxResults    int
	Expand        string
	Fields        []string
	ValidateQuery string
}

// searchResult is only a small wrapper around the Search (with JQL) method
// to be able to parse the results
type searchResult struct {
	Issues     []Issue `json:"issues"`
	StartAt    int     `json:"startAt"`
	MaxResults int     `json:"maxResults"`
	Total      int     `json:"total"`
}

// SearchWithContext will search for tickets according to the jql
func (s *IssueService) SearchWithContext(ctx context.Context, jql string, options *SearchOptions) ([]Issue, *Response, error) {
	u := url.URL{
		Path: "rest/api/2/search",
	}
	uv := url.Values{}
	if jql != "" {
		uv.Add("jql", jql)
	}

	if options != nil {
		if options.StartAt != 0 {
			uv.Add("startAt", strconv.Itoa(options.StartAt))
		}
		if options.MaxResults != 0 {
			uv.Add("maxResults", strconv.Itoa(options.MaxResults))
		}
		if options.Expand != "" {
			uv.Add("expand", options.Expand)
		}
		if strings.Join(options.Fields, ",") != "" {
			uv.Add("fields", strings.Join(options.Fields, ","))
		}
		if options.ValidateQuery != "" {
			uv.Add("validateQuery", options.ValidateQuery)
		}
	}

	u.RawQuery = uv.Encode()

	req, err := s.client.NewRequestWithContext(ctx, "GET", u.String(), nil)
	if err != nil {
		return []Issue{}, nil, err
	}

	v := new(searchResult)
	resp, err := s.client.Do(req, v)
	if err != nil {
		err = NewJiraError(resp, err)
	}
	return v.Issues, resp, err
}

// SearchPagesWithContext will get issues from all pages in a search
func (s *IssueService) SearchPagesWithContext(ctx context.Context, jql string, options *SearchOptions, f func(Issue) error) error {
	if options == nil {
		options = &SearchOptions{
			StartAt:    0,
			MaxResults: 50,
		}
	}

	if options.MaxResults == 0 {
		options.MaxResults = 50
	}

	issues, resp, err := s.SearchWithContext(ctx, jql, options)
	if err != nil {
		return err
	}

	if len(issues) == 0 {
		return nil
	}

	for {
		for _, issue := range issues {
			err = f(issue)
			if err != nil {
				return err
			}
		}

		if resp.StartAt+resp.MaxResults >= resp.Total {
			return nil
		}

		options.StartAt += resp.MaxResults
		issues, resp, err = s.SearchWithContext(ctx, jql, options)
		if err != nil {
			return err
		}
	}
}
