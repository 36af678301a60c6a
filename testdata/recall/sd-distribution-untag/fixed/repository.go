// Recall case sd-distribution-untag
// Source: github.com/distribution/distribution commit fbdfd1ac3580f1aafdbd17c09ebd02c86ccfc4a1 (registry/client/repository.go)
// Link: https://github.com/distribution/distribution/commit/fbdfd1ac3580f1aafdbd17c09ebd02c86ccfc4a1
// Bug: tags.Untag(ctx, tag) builds its DELETE with http.NewRequest (no ctx) although the caller's ctx is in scope, so the caller's deadline/cancellation never reaches t.client.Do (the repository client has no Timeout).
// Fix: Untag uses http.NewRequestWithContext(ctx, "DELETE", u, nil).
// Rule: sharedeadline
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ---- stand-ins for reference / v2.URLBuilder (pure string handling, no I/O) ----

type Named interface{ Name() string }

type repoName string

func (n repoName) Name() string { return string(n) }

type Tagged struct {
	Named
	tag string
}

func WithTag(name Named, tag string) (Tagged, error) {
	if tag == "" || strings.ContainsAny(tag, "/:@") {
		return Tagged{}, fmt.Errorf("invalid tag format %q", tag)
	}
	return Tagged{Named: name, tag: tag}, nil
}

type URLBuilder struct{ root *url.URL }

func NewURLBuilderFromString(root string) (*URLBuilder, error) {
	u, err := url.Parse(root)
	if err != nil {
		return nil, err
	}
	return &URLBuilder{root: u}, nil
}

func (ub *URLBuilder) BuildManifestURL(ref Tagged) (string, error) {
	u := *ub.root
	u.Path = "/v2/" + ref.Name() + "/manifests/" + ref.tag
	return u.String(), nil
}

// ---- upstream code (registry/client) ----

// checkHTTPRedirect is a callback that can manipulate redirected HTTP
// requests. It is used to preserve Accept and Range headers.
func checkHTTPRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}

	if len(via) > 0 {
		for headerName, headerVals := range via[0].Header {
			if headerName != "Accept" && headerName != "Range" {
				continue
			}
			for _, val := range headerVals {
				// Don't add to redirected request if redirected
				// request already has a header with the same
				// name and value.
				hasValue := false
				for _, existingVal := range req.Header[headerName] {
					if existingVal == val {
						hasValue = true
						break
					}
				}
				if !hasValue {
					req.Header.Add(headerName, val)
				}
			}
		}
	}

	return nil
}

// NewRepository creates a new Repository for the given repository name and base URL.
func NewRepository(name Named, baseURL string, transport http.RoundTripper) (*repository, error) {
	ub, err := NewURLBuilderFromString(baseURL)
	if err != nil {
		return nil, err
	}

	client := &http.Client{
		Transport:     transport,
		CheckRedirect: checkHTTPRedirect,
		// TODO(dmcgowan): create cookie jar
	}

	return &repository{
		client: client,
		ub:     ub,
		name:   name,
	}, nil
}

type repository struct {
	client *http.Client
	ub     *URLBuilder
	name   Named
}

func (r *repository) Named() Named {
	return r.name
}

func (r *repository) Tags(ctx context.Context) *tags {
	return &tags{
		client: r.client,
		ub:     r.ub,
		name:   r.Named(),
	}
}

// tags implements remote tagging operations.
type tags struct {
	client *http.Client
	ub     *URLBuilder
	name   Named
}

func (t *tags) Untag(ctx context.Context, tag string) error {
	ref, err := WithTag(t.name, tag)
	if err != nil {
		return err
	}
	u, err := t.ub.BuildManifestURL(ref)
	if err != nil {
		return err
	}

	req, err := http.NewRequestWithContext(ctx, "DELETE", u, nil)
	if err != nil {
		return err
	}

	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	if SuccessStatus(resp.StatusCode) {
		return nil
	}
	return HandleErrorResponse(resp)
}

// SuccessStatus returns true if the argument is a successful HTTP response
// code (in the range 200 - 399 inclusive).
func SuccessStatus(status int) bool {
	return status >= 200 && status <= 399
}

// UnexpectedHTTPResponseError is returned when an expected HTTP status code
// is returned, but the content was unexpected and failed to be parsed.
type UnexpectedHTTPResponseError struct {
	ParseErr   error
	StatusCode int
	Response   []byte
}

func (e *UnexpectedHTTPResponseError) Error() string {
	return fmt.Sprintf("error parsing HTTP %d response body: %s: %q", e.StatusCode, e.ParseErr.Error(), string(e.Response))
}

// HandleErrorResponse returns error parsed from HTTP response for an
// unsuccessful HTTP response code (reduced: errcode parsing collapsed).
func HandleErrorResponse(resp *http.Response) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	var errs struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &errs); err != nil {
		return &UnexpectedHTTPResponseError{ParseErr: err, StatusCode: resp.StatusCode, Response: body}
	}
	if len(errs.Errors) == 0 {
		return fmt.Errorf("received unexpected HTTP status: %s", resp.Status)
	}
	return fmt.Errorf("%s: %s", strings.ToLower(errs.Errors[0].Code), errs.Errors[0].Message)
}
