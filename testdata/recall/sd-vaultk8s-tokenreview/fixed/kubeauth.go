// Recall case sd-vaultk8s-tokenreview
// Source: github.com/hashicorp/vault-plugin-auth-kubernetes commit 9b38be8f9574147ff397c0dc0233c425c64eb6f8 (token_review.go, path_login.go)
// Link: https://github.com/hashicorp/vault-plugin-auth-kubernetes/commit/9b38be8f9574147ff397c0dc0233c425c64eb6f8
// Bug: pathLogin has the Vault request ctx, but serviceAccount.lookup -> tokenReviewAPI.Review builds the TokenReview POST with http.NewRequest (no ctx) on a cleanhttp client without Timeout, so the request ignores the caller's deadline/cancellation.
// Fix: thread ctx through lookup and Review and build the request with http.NewRequestWithContext(ctx, ...).
// Rule: sharedeadline
package kubeauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

var errPermissionDenied = errors.New("permission denied")

type kubeConfig struct {
	Host             string
	TokenReviewerJWT string
}

type tokenReviewResult struct {
	Name      string
	Namespace string
	UID       string
}

// This exists so we can use a mock TokenReview when running tests
type tokenReviewer interface {
	Review(context.Context, string, []string) (*tokenReviewResult, error)
}

type tokenReviewFactory func(*kubeConfig) tokenReviewer

type kubeAuthBackend struct {
	config        *kubeConfig
	reviewFactory tokenReviewFactory
}

type serviceAccount struct {
	Name      string
	UID       string
	Namespace string
	Audience  []string
}

// cleanhttpDefaultClient mirrors github.com/hashicorp/go-cleanhttp DefaultClient:
// a fresh pooled transport and no Client.Timeout.
func cleanhttpDefaultClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment,
			DialContext: (&net.Dialer{
				Timeout:   30 * time.Second,
				KeepAlive: 30 * time.Second,
			}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: 1 * time.Second,
		},
	}
}

func (b *kubeAuthBackend) pathLogin(ctx context.Context, jwtStr string) (*serviceAccount, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	serviceAccount := &serviceAccount{}

	// look up the JWT token in the kubernetes API
	err := serviceAccount.lookup(ctx, jwtStr, b.reviewFactory(b.config))
	if err != nil {
		return nil, errPermissionDenied
	}
	return serviceAccount, nil
}

// lookup calls the TokenReview API in kubernetes to verify the token and secret
// still exist.
func (s *serviceAccount) lookup(ctx context.Context, jwtStr string, tr tokenReviewer) error {
	r, err := tr.Review(ctx, jwtStr, s.Audience)
	if err != nil {
		return err
	}
	s.Name, s.Namespace, s.UID = r.Name, r.Namespace, r.UID
	return nil
}

type tokenReviewAPI struct {
	config *kubeConfig
}

func tokenReviewAPIFactory(config *kubeConfig) tokenReviewer {
	return &tokenReviewAPI{
		config: config,
	}
}

func (t *tokenReviewAPI) Review(ctx context.Context, jwt string, aud []string) (*tokenReviewResult, error) {
	client := cleanhttpDefaultClient()

	trJSON, err := json.Marshal(map[string]any{"spec": map[string]any{"token": jwt, "audiences": aud}})
	if err != nil {
		return nil, err
	}

	// Build the request to the token review API
	url := fmt.Sprintf("%s/apis/authentication.k8s.io/v1/tokenreviews", strings.TrimSuffix(t.config.Host, "/"))
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewBuffer(trJSON))
	if err != nil {
		return nil, err
	}

	bearer := fmt.Sprintf("Bearer %s", jwt)
	if len(t.config.TokenReviewerJWT) > 0 {
		bearer = fmt.Sprintf("Bearer %s", t.config.TokenReviewerJWT)
	}
	req.Header.Set("Authorization", strings.TrimSpace(bearer))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	return parseResponse(resp)
}

func parseResponse(resp *http.Response) (*tokenReviewResult, error) {
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token review failed: %s", resp.Status)
	}
	var out struct {
		Status struct {
			User struct {
				Username string `json:"username"`
				UID      string `json:"uid"`
			} `json:"user"`
		} `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return &tokenReviewResult{Name: out.Status.User.Username, UID: out.Status.User.UID}, nil
}
