// Recall case nd-terraform-infra-common-octosts-token
// Source: github.com/chainguard-dev/terraform-infra-common commit d647e03ec06f9e5f1555c0df32bbd9908d49c2ca (modules/github-bots/sdk/github.go)
// Link: https://github.com/chainguard-dev/terraform-infra-common/commit/d647e03ec06f9e5f1555c0df32bbd9908d49c2ca
// Bug: tokenSource.Token (called by the oauth2 transport without any ctx) uses context.Background() for the OctoSTS token exchange and the revoke HTTP call, so a hung STS/GitHub endpoint blocks forever; Close revokes with context.WithoutCancel(ctx), which also has no deadline.
// Fix: each octosts call gets context.WithTimeoutCause(..., 1*time.Minute, ...) (Token from Background, Close from WithoutCancel(ctx)).
// Rule: nodeadline
package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"
)

// octostsClient stands in for chainguard.dev/sdk/octosts: it exchanges an
// identity token for a GitHub token and revokes GitHub tokens over HTTP.
type octostsClient struct {
	http    *http.Client
	stsURL  string
	ghAPI   string
	idToken string
}

var octosts = octostsClient{http: http.DefaultClient, stsURL: "https://octo-sts.dev", ghAPI: "https://api.github.com"}

func (o octostsClient) Token(ctx context.Context, policyName, org, repo string) (string, error) {
	scope := org
	if repo != "" {
		scope = org + "/" + repo
	}
	u := fmt.Sprintf("%s/sts/exchange?scope=%s&identity=%s", o.stsURL, url.QueryEscape(scope), url.QueryEscape(policyName))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+o.idToken)
	resp, err := o.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("exchange failed: %s", resp.Status)
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	return out.Token, nil
}

func (o octostsClient) Revoke(ctx context.Context, tok string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, o.ghAPI+"/installation/token", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := o.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("revoke failed: %s", resp.Status)
	}
	return nil
}

// Token mirrors oauth2.Token.
type Token struct {
	AccessToken string
	Expiry      time.Time
}

// TokenSource mirrors oauth2.TokenSource: Token() takes no context.
type TokenSource interface {
	Token() (*Token, error)
}

type tokenSource struct {
	org, repo, policyName, tok string
}

type GitHubClient struct {
	ts        TokenSource
	org, repo string
}

func NewGitHubClient(org, repo, policyName string) GitHubClient {
	return GitHubClient{ts: &tokenSource{org: org, repo: repo, policyName: policyName}, org: org, repo: repo}
}

func (ts *tokenSource) Token() (*Token, error) {
	ctx := context.Background()
	log.Printf("getting octosts token for %s/%s - %s", ts.org, ts.repo, ts.policyName)
	tok, err := octosts.Token(ctx, ts.policyName, ts.org, ts.repo)
	if err != nil {
		return nil, err
	}

	// If there's a previous token, attempt to revoke it.
	if ts.tok != "" {
		if err := octosts.Revoke(ctx, ts.tok); err != nil {
			// This isn't an error, but we should log it.
			log.Printf("failed to revoke token: %v", err)
		}
	}

	ts.tok = tok
	return &Token{
		AccessToken: tok,
		Expiry:      time.Now().Add(45 * time.Minute),
	}, nil
}

func (c GitHubClient) Close(ctx context.Context) error {
	tok, err := c.ts.Token()
	if err != nil {
		log.Printf("failed to get token for revocation: %v", err)
		return fmt.Errorf("getting token for revocation: %w", err)
	}

	// We don't want to cancel the context, as we want to revoke the token even if the context is done.
	ctx = context.WithoutCancel(ctx)

	if err := octosts.Revoke(ctx, tok.AccessToken); err != nil {
		log.Printf("failed to revoke token: %v", err)
		return fmt.Errorf("revoking token: %w", err)
	}

	return nil
}
