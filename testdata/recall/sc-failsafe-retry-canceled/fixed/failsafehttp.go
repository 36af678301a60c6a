// Recall case sc-failsafe-retry-canceled
// Source: github.com/failsafe-go/failsafe-go commit 576f9809671550524dd4241e5429b90c598def25 (failsafehttp/policy.go)
// Link: https://github.com/failsafe-go/failsafe-go/commit/576f9809671550524dd4241e5429b90c598def25
// Bug: RetryPolicyBuilder's retryHandleFunc returns true ("Retry on all other url errors") for the *url.Error that wraps context.Canceled, so Request.Do retries a request whose context the caller already cancelled.
// Fix: RetryPolicyBuilder adds AbortOnErrors(context.Canceled), so a cancelled request aborts the retry loop and the cancellation is returned.
// Rule: swallowcancel
package failsafehttp

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/url"
	"regexp"
)

// ---------------- failsafehttp/policy.go ----------------

var (
	unsupportedScheme     = regexp.MustCompile(`unsupported protocol scheme`)
	certNotTrusted        = regexp.MustCompile(`certificate is not trusted`)
	stoppedAfterRedirects = regexp.MustCompile(`stopped after \d+ redirects\z`)
)

// RetryPolicyBuilder returns a RetryPolicyBuilder that will retry non-terminal HTTP errors and responses up
// to 2 times, by default.
func RetryPolicyBuilder() *RetryPolicyConfig {
	retryHandleFunc := func(resp *http.Response, err error) bool {
		// Handle errors
		if err != nil {
			// Do not retry unsupported protocol scheme error
			if unsupportedScheme.MatchString(err.Error()) {
				return false
			}
			if v, ok := err.(*url.Error); ok {
				// Do not retry when certain error messages are observed
				if certNotTrusted.MatchString(v.Error()) ||
					stoppedAfterRedirects.MatchString(v.Error()) {
					return false
				}
				// Do not retry on unknown authority errors
				if _, ok := v.Err.(x509.UnknownAuthorityError); ok {
					return false
				}
			}
			// Retry on all other url errors
			return true
		}

		// Handle response
		if resp != nil {
			// Retry on 429
			if resp.StatusCode == http.StatusTooManyRequests {
				return true
			}
			// Retry on most 5xx responses
			if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented {
				return true
			}
		}

		return false
	}

	return Builder().
		HandleIf(retryHandleFunc).
		AbortOnErrors(context.Canceled)
}

// ---------------- failsafehttp/http.go ----------------

type Request struct {
	executor *Executor
	request  *http.Request
	client   *http.Client
}

// NewRequest creates and returns a new Request that will perform failsafe round trips via the request, client, and
// retry policy.
func NewRequest(request *http.Request, client *http.Client, rp *RetryPolicy) *Request {
	return &Request{
		executor: &Executor{retryPolicy: rp},
		request:  request,
		client:   client,
	}
}

// Do performs the request. (Upstream merges request.Context() with the
// executor's context; the executor here has none, so the request ctx is used.)
func (r *Request) Do() (*http.Response, error) {
	return r.executor.Get(func() (*http.Response, error) {
		return r.client.Do(r.request)
	})
}

// Fetch is an example caller: a GET bounded by the caller's ctx.
func Fetch(ctx context.Context, client *http.Client, target string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	return NewRequest(req, client, RetryPolicyBuilder().Build()).Do()
}

// ---------------- reduced retrypolicy / policy packages ----------------

const defaultMaxRetries = 2

type condition func(*http.Response, error) bool

type RetryPolicyConfig struct {
	maxRetries        int
	failureConditions []condition
	abortConditions   []condition
}

func Builder() *RetryPolicyConfig {
	return &RetryPolicyConfig{maxRetries: defaultMaxRetries}
}

func (c *RetryPolicyConfig) HandleIf(predicate func(*http.Response, error) bool) *RetryPolicyConfig {
	c.failureConditions = append(c.failureConditions, predicate)
	return c
}

func (c *RetryPolicyConfig) AbortOnErrors(errs ...error) *RetryPolicyConfig {
	for _, target := range errs {
		t := target
		c.abortConditions = append(c.abortConditions, func(_ *http.Response, actualErr error) bool {
			return errors.Is(actualErr, t)
		})
	}
	return c
}

func (c *RetryPolicyConfig) Build() *RetryPolicy {
	cp := *c
	return &RetryPolicy{config: &cp}
}

type RetryPolicy struct {
	config *RetryPolicyConfig
}

func appliesToAny(conds []condition, resp *http.Response, err error) bool {
	for _, c := range conds {
		if c(resp, err) {
			return true
		}
	}
	return false
}

// IsFailure mirrors policy.BaseFailurePolicy.IsFailure.
func (p *RetryPolicy) IsFailure(resp *http.Response, err error) bool {
	if len(p.config.failureConditions) == 0 {
		return err != nil
	}
	return appliesToAny(p.config.failureConditions, resp, err)
}

// IsAbortable mirrors policy.BaseAbortablePolicy.IsAbortable.
func (p *RetryPolicy) IsAbortable(resp *http.Response, err error) bool {
	return appliesToAny(p.config.abortConditions, resp, err)
}

type Executor struct {
	retryPolicy *RetryPolicy
}

// Get mirrors retryPolicyExecutor.Apply + OnFailure: run, and re-run while the
// result is a failure, not abortable and retries remain. (Delay omitted: with
// the default policy and no Retry-After header the delay is zero.)
func (e *Executor) Get(fn func() (*http.Response, error)) (*http.Response, error) {
	failedAttempts := 0
	for {
		resp, err := fn()
		if !e.retryPolicy.IsFailure(resp, err) {
			return resp, err
		}
		failedAttempts++
		retriesExceeded := failedAttempts > e.retryPolicy.config.maxRetries
		isAbortable := e.retryPolicy.IsAbortable(resp, err)
		if isAbortable || retriesExceeded {
			return resp, err
		}
		if resp != nil {
			resp.Body.Close()
		}
	}
}
