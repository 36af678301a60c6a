// Recall case uw-goreleaser-ratelimit
// Source: github.com/goreleaser/goreleaser commit 60028b19eb6845164ed7bac541032efe1b07fe14 (internal/client/github.go)
// Link: https://github.com/goreleaser/goreleaser/commit/60028b19eb6845164ed7bac541032efe1b07fe14
// Bug: rateLimitChecker (which has the pipeline ctx) waits for the GitHub rate-limit reset by calling sleepFn, which every caller passes as time.Sleep, so the wait (possibly up to an hour) cannot be interrupted when ctx is cancelled; it then recurses and checks again.
// Fix: drop sleepFn and the recursion and wait with select on time.After(sleep) and ctx.Done().
// Rule: uncancellablewait
package client

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"
)

// Rate and RateLimits are reduced stand-ins for go-github's types.
type Rate struct {
	Limit     int       `json:"limit"`
	Remaining int       `json:"remaining"`
	Reset     Timestamp `json:"reset"`
}

type Timestamp struct{ Time time.Time }

func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var secs int64
	if err := json.Unmarshal(b, &secs); err != nil {
		return err
	}
	t.Time = time.Unix(secs, 0)
	return nil
}

type RateLimits struct {
	Core   *Rate `json:"core"`
	Search *Rate `json:"search"`
}

// githubAPI is a reduced stand-in for *github.Client doing real HTTP calls.
type githubAPI struct {
	baseURL string
	http    *http.Client
}

func (g *githubAPI) get(ctx *Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.baseURL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+ctx.Token)
	resp, err := g.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// RateLimitGet mirrors client.RateLimit.Get(ctx).
func (g *githubAPI) RateLimitGet(ctx *Context) (*RateLimits, error) {
	var out struct {
		Resources RateLimits `json:"resources"`
	}
	if err := g.get(ctx, "/rate_limit", &out); err != nil {
		return nil, err
	}
	return &out.Resources, nil
}

type githubClient struct {
	client *githubAPI
}

func newGitHub(token, baseURL string) *githubClient {
	_ = token
	return &githubClient{client: &githubAPI{baseURL: baseURL, http: &http.Client{Timeout: 30 * time.Second}}}
}

func (c *githubClient) checkRateLimit(ctx *Context, sleepFn func(time.Duration)) {
	c.rateLimitChecker(ctx, 100, sleepFn, func(limits *RateLimits) *Rate {
		return limits.Core
	})
}

func (c *githubClient) checkSearchRateLimit(ctx *Context, sleepFn func(time.Duration)) {
	// 5 should be safe enough (search limit is 30/min)
	c.rateLimitChecker(ctx, 5, sleepFn, func(limits *RateLimits) *Rate {
		return limits.Search
	})
}

func (c *githubClient) rateLimitChecker(
	ctx *Context,
	target int,
	sleepFn func(time.Duration),
	which func(*RateLimits) *Rate,
) {
	limits, err := c.client.RateLimitGet(ctx)
	if err != nil {
		log.Print("could not check rate limits, hoping for the best...")
		return
	}
	rate := which(limits)
	if rate == nil || rate.Remaining > target {
		return
	}
	// sometimes, after the rate limit just reset, it might still report
	// low remaining and a reset time in the past - sleep at least 5s
	sleep := max(time.Until(rate.Reset.Time), 5*time.Second)
	log.Printf("rate limit almost reached (%d remaining), sleeping for %s...", rate.Remaining, sleep)
	sleepFn(sleep)
	c.rateLimitChecker(ctx, target, sleepFn, which)
}

// getDefaultBranch returns the default branch of a github repo
func (c *githubClient) getDefaultBranch(ctx *Context, owner, name string) (string, error) {
	c.checkRateLimit(ctx, time.Sleep)
	var repo struct {
		DefaultBranch string `json:"default_branch"`
	}
	if err := c.client.get(ctx, fmt.Sprintf("/repos/%s/%s", owner, name), &repo); err != nil {
		return "", err
	}
	return repo.DefaultBranch, nil
}

// authorsLookup looks up a GitHub username by commit email.
func (c *githubClient) authorsLookup(ctx *Context, email string) (string, error) {
	c.checkSearchRateLimit(ctx, time.Sleep)
	var res struct {
		Items []struct {
			Login string `json:"login"`
		} `json:"items"`
	}
	if err := c.client.get(ctx, "/search/users?q="+url.QueryEscape(email), &res); err != nil {
		return "", err
	}
	if len(res.Items) == 0 {
		return "", nil
	}
	return res.Items[0].Login, nil
}
