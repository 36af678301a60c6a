// Recall case nd-external-dns-webhook
// Source: github.com/kubernetes-sigs/external-dns commit 19263ee9f0376757de85d15dbe63d699f5e6e03f (provider/webhook/webhook.go)
// Link: https://github.com/kubernetes-sigs/external-dns/pull/6279
// Bug: the webhook provider talks to the webhook server through an http.Client with no Timeout and requests built without the caller's ctx, so a hung webhook server blocks Records/ApplyChanges (and the start-up negotiation) forever.
// Fix: the client gets Timeout = read+write timeout and every request that has a ctx is built with http.NewRequestWithContext, with the retry loop bound to req.Context().
// Rule: nodeadline
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"
)

const (
	acceptHeader = "Accept"
	maxRetries   = 5

	contentTypeHeader         = "Content-Type"
	mediaTypeFormatAndVersion = "application/external.dns.webhook+json;version=1"
	urlRecords                = "/records"
	urlAdjustEndpoints        = "/adjustendpoints"
)

// --- local stand-ins for external-dns types -------------------------------

type Endpoint struct {
	DNSName    string   `json:"dnsName"`
	Targets    []string `json:"targets"`
	RecordType string   `json:"recordType"`
}

type DomainFilter struct {
	Filters []string `json:"include"`
}

type Changes struct {
	Create []*Endpoint `json:"Create"`
	Delete []*Endpoint `json:"Delete"`
}

type Config struct {
	WebhookProviderURL          string
	WebhookProviderReadTimeout  time.Duration
	WebhookProviderWriteTimeout time.Duration
}

type SoftError struct{ error }

func NewSoftError(err error) error { return SoftError{err} }

// --- local stand-in for github.com/cenkalti/backoff/v5 ---------------------

type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

func Permanent(err error) error { return &permanentError{err} }

type retryOptions struct{ maxTries uint }

type RetryOption func(*retryOptions)

func WithMaxTries(n uint) RetryOption { return func(o *retryOptions) { o.maxTries = n } }

// Retry calls operation until it succeeds, returns a permanent error, the
// attempts are exhausted or ctx is done. The wait between attempts honours ctx.
func Retry[T any](ctx context.Context, operation func() (T, error), opts ...RetryOption) (T, error) {
	o := retryOptions{maxTries: 10}
	for _, opt := range opts {
		opt(&o)
	}
	var zero T
	wait := 100 * time.Millisecond
	var lastErr error
	for attempt := uint(1); ; attempt++ {
		res, err := operation()
		if err == nil {
			return res, nil
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			return zero, perm.err
		}
		lastErr = err
		if attempt >= o.maxTries {
			return zero, lastErr
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return zero, ctx.Err()
		case <-t.C:
		}
		wait *= 2
	}
}

// --- provider ---------------------------------------------------------------

type WebhookProvider struct {
	client          *http.Client
	remoteServerURL *url.URL
	DomainFilter    *DomainFilter
}

// New creates a webhook provider from the given configuration.
func New(_ context.Context, cfg *Config, _ *DomainFilter) (*WebhookProvider, error) {
	return newProvider(cfg.WebhookProviderURL)
}

func newProvider(u string) (*WebhookProvider, error) {
	parsedURL, err := url.Parse(u)
	if err != nil {
		return nil, err
	}

	// negotiate API information
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(acceptHeader, mediaTypeFormatAndVersion)

	client := &http.Client{}

	resp, err := requestWithRetry(client, req)
	if err != nil {
		return nil, fmt.Errorf("failed to connect to webhook: %w", err)
	}
	// read the serialized DomainFilter from the response body and set it in the webhook provider struct
	defer resp.Body.Close()

	if ct := resp.Header.Get(contentTypeHeader); ct != mediaTypeFormatAndVersion {
		return nil, fmt.Errorf("wrong content type returned from server: %s", ct)
	}

	df := &DomainFilter{}
	if err := json.NewDecoder(resp.Body).Decode(df); err != nil {
		return nil, fmt.Errorf("failed to unmarshal response body of DomainFilter: %w", err)
	}

	return &WebhookProvider{
		client:          client,
		remoteServerURL: parsedURL,
		DomainFilter:    df,
	}, nil
}

func requestWithRetry(client *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := Retry(context.Background(), func() (*http.Response, error) {
		resp, err := client.Do(req)
		if err != nil {
			log.Printf("Failed to connect to webhook: %v", err)
			return nil, err
		}
		// we currently only use 200 as success, but considering okay all 2XX for future usage
		if resp.StatusCode >= http.StatusMultipleChoices && resp.StatusCode < http.StatusInternalServerError {
			return nil, Permanent(fmt.Errorf("status code < %d", http.StatusInternalServerError))
		}
		return resp, nil
	}, WithMaxTries(maxRetries))
	return resp, err
}

// Records will make a GET call to remoteServerURL/records and return the results
func (p WebhookProvider) Records(_ context.Context) ([]*Endpoint, error) {
	u := p.remoteServerURL.JoinPath("records").String()

	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		log.Printf("Failed to create request: %s", err.Error())
		return nil, err
	}
	req.Header.Set(acceptHeader, mediaTypeFormatAndVersion)
	resp, err := p.client.Do(req)
	if err != nil {
		log.Printf("Failed to perform request: %s", err.Error())
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		log.Printf("Failed to get records with code %d", resp.StatusCode)
		err := fmt.Errorf("failed to get records with code %d", resp.StatusCode)
		if isRetryableError(resp.StatusCode) {
			return nil, NewSoftError(err)
		}
		return nil, err
	}

	var endpoints []*Endpoint
	if err := json.NewDecoder(resp.Body).Decode(&endpoints); err != nil {
		log.Printf("Failed to decode response body: %s", err.Error())
		return nil, err
	}
	return endpoints, nil
}

// ApplyChanges will make a POST to remoteServerURL/records with the changes
func (p WebhookProvider) ApplyChanges(_ context.Context, changes *Changes) error {
	u := p.remoteServerURL.JoinPath(urlRecords).String()

	b := new(bytes.Buffer)
	if err := json.NewEncoder(b).Encode(changes); err != nil {
		log.Printf("Failed to encode changes: %s", err.Error())
		return err
	}

	req, err := http.NewRequest(http.MethodPost, u, b)
	if err != nil {
		log.Printf("Failed to create request: %s", err.Error())
		return err
	}

	req.Header.Set(contentTypeHeader, mediaTypeFormatAndVersion)

	resp, err := p.client.Do(req)
	if err != nil {
		log.Printf("Failed to perform request: %s", err.Error())
		return err
	}

	defer resp.Body.Close()

	if resp.StatusCode != http.StatusNoContent {
		log.Printf("Failed to apply changes with code %d", resp.StatusCode)
		err := fmt.Errorf("failed to apply changes with code %d", resp.StatusCode)
		if isRetryableError(resp.StatusCode) {
			return NewSoftError(err)
		}
		return err
	}
	return nil
}

// AdjustEndpoints will call the provider doing a POST on `/adjustendpoints` which will return a list of modified endpoints
// based on a provider-specific requirement.
func (p WebhookProvider) AdjustEndpoints(e []*Endpoint) ([]*Endpoint, error) {
	var endpoints []*Endpoint
	u, err := url.JoinPath(p.remoteServerURL.String(), urlAdjustEndpoints)
	if err != nil {
		return nil, err
	}

	b := new(bytes.Buffer)
	if err := json.NewEncoder(b).Encode(e); err != nil {
		return nil, err
	}

	req, err := http.NewRequest(http.MethodPost, u, b)
	if err != nil {
		return nil, err
	}

	req.Header.Set(contentTypeHeader, mediaTypeFormatAndVersion)
	req.Header.Set(acceptHeader, mediaTypeFormatAndVersion)

	resp, err := p.client.Do(req)
	if err != nil {
		log.Printf("Failed executing http request, %s", err)
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("failed to AdjustEndpoints with code  %d", resp.StatusCode)
		if isRetryableError(resp.StatusCode) {
			return nil, NewSoftError(err)
		}
		return nil, err
	}

	if err := json.NewDecoder(resp.Body).Decode(&endpoints); err != nil {
		return nil, err
	}

	return endpoints, nil
}

// isRetryableError returns true for HTTP status codes between 500 and 510 (inclusive)
func isRetryableError(statusCode int) bool {
	return statusCode >= http.StatusInternalServerError && statusCode <= http.StatusNotExtended
}

// Reconcile is a caller in the style of the external-dns controller loop: it
// bounds one sync with a deadline and passes it down to the provider.
func Reconcile(parent context.Context, cfg *Config) error {
	ctx, cancel := context.WithTimeout(parent, time.Minute)
	defer cancel()
	p, err := New(ctx, cfg, nil)
	if err != nil {
		return err
	}
	records, err := p.Records(ctx)
	if err != nil {
		return err
	}
	return p.ApplyChanges(ctx, &Changes{Create: records})
}
