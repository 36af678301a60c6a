// Recall case nd-melange-gettags
// Source: github.com/chainguard-dev/melange commit dca7e3086777252d689a645c986153e4703c4f08 (pkg/convert/github/github.go)
// Link: https://github.com/chainguard-dev/melange/commit/dca7e3086777252d689a645c986153e4703c4f08
// Bug: GetTags receives the caller's ctx but pages through the GitHub tags API with context.Background(), so the HTTP calls have no deadline and ignore cancellation.
// Fix: Pass the caller's ctx to Repositories.ListTags instead of context.Background().
// Rule: nodeadline
package github

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
)

// --- minimal stand-in for github.com/google/go-github ---

type ListOptions struct {
	Page    int
	PerPage int
}

type Commit struct {
	SHA *string `json:"sha"`
}

type RepositoryTag struct {
	Name   *string `json:"name"`
	Commit *Commit `json:"commit"`
}

type Response struct {
	*http.Response
	NextPage int
}

type RepositoriesService struct {
	client *Client
}

type Client struct {
	httpClient   *http.Client
	baseURL      string
	Repositories *RepositoriesService
}

func NewClient(httpClient *http.Client, baseURL string) *Client {
	c := &Client{httpClient: httpClient, baseURL: baseURL}
	c.Repositories = &RepositoriesService{client: c}
	return c
}

// ListTags performs the real HTTP request with the ctx it is given.
func (s *RepositoriesService) ListTags(ctx context.Context, owner, repo string, opts *ListOptions) ([]*RepositoryTag, *Response, error) {
	u := fmt.Sprintf("%s/repos/%s/%s/tags?page=%d&per_page=%d", s.client.baseURL, owner, repo, opts.Page, opts.PerPage)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := s.client.httpClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var tags []*RepositoryTag
	if err := json.NewDecoder(resp.Body).Decode(&tags); err != nil {
		return nil, nil, err
	}
	r := &Response{Response: resp}
	if np := resp.Header.Get("X-Next-Page"); np != "" {
		r.NextPage, _ = strconv.Atoi(np)
	}
	return tags, r, nil
}

// --- reduced melange code ---

type GithubRepoClient struct {
	client *Client
	owner  string
	repo   string
}

func NewGithubRepoClient(client *Client, owner, repo string) *GithubRepoClient {
	return &GithubRepoClient{client: client, owner: owner, repo: repo}
}

func (grc *GithubRepoClient) Repo() string {
	return fmt.Sprintf("https://github.com/%s/%s", grc.owner, grc.repo)
}

type TagData struct {
	Version   string
	Repo      string
	Tag       string
	SHA       string
	TagPrefix string
}

func (grc *GithubRepoClient) GetTags(ctx context.Context, tags []string) (map[string]*TagData, error) {
	repo := grc.Repo()
	ret := map[string]*TagData{}
	for _, tag := range tags {
		ret[tag] = nil
	}
	found := 0
	tagListOptions := &ListOptions{PerPage: 500}
	for {
		log.Printf("[%s] Getting tags page %d", repo, tagListOptions.Page)
		repoTags, res, err := grc.client.Repositories.ListTags(context.Background(), grc.owner, grc.repo, tagListOptions)
		if err != nil {
			return nil, fmt.Errorf("failed to get tags for %s: %v", repo, err)
		}
		for _, tag := range repoTags {
			if _, ok := ret[*tag.Name]; ok {
				ret[*tag.Name] = &TagData{Repo: repo, Version: *tag.Name, Tag: *tag.Name, SHA: *tag.Commit.SHA}
				found++
			} else {
				for tagSuffix := range ret {
					if strings.HasSuffix(*tag.Name, tagSuffix) {
						ret[tagSuffix] = &TagData{
							Repo:      repo,
							Version:   tagSuffix,
							Tag:       *tag.Name,
							SHA:       *tag.Commit.SHA,
							TagPrefix: strings.TrimSuffix(*tag.Name, tagSuffix)}
					}
				}
			}
		}
		if res.NextPage == 0 || found == len(tags) {
			break
		}
		tagListOptions.Page = res.NextPage
	}
	for k, v := range ret {
		if v == nil {
			delete(ret, k)
		}
	}
	return ret, nil
}
