// Recall case nd-amazon-ssm-agent-s3head
// Source: github.com/aws/amazon-ssm-agent commit 8da2405cea5de254fe8aa9459970865183fe9bf4 (agent/s3util/s3util_dep.go)
// Link: https://github.com/aws/amazon-ssm-agent/commit/8da2405cea5de254fe8aa9459970865183fe9bf4
// Bug: HttpProviderImpl.Head builds an http.Client without Timeout and issues httpClient.Head(url) (no context) inside the retry closure, so a stalled S3 endpoint blocks the HEAD request (and the whole retry loop) indefinitely.
// Fix: the http.Client used for the HEAD request gets Timeout: 30 * time.Second.
// Rule: nodeadline
package s3util

import (
	"errors"
	"log"
	"net/http"
	"strings"
	"time"
)

const bucketRegionHeader = "x-amz-bucket-region"

type HttpProvider interface {
	Head(url string) (*http.Response, error)
}

// HttpProviderImpl provides http capabilities
type HttpProviderImpl struct {
	logger *log.Logger
}

var getHeadBucketTransportDelegate = func(logger *log.Logger) http.RoundTripper {
	return http.DefaultTransport.(*http.Transport).Clone()
}

// PermanentError signals that the operation should not be retried
// (stand-in for cenkalti/backoff.PermanentError).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// retry is a small stand-in for backoff.Retry with an exponential back-off.
func retry(op func() error, initial time.Duration, maxTries int) error {
	var err error
	delay := initial
	for i := 0; i < maxTries; i++ {
		if err = op(); err == nil {
			return nil
		}
		var perm *PermanentError
		if errors.As(err, &perm) {
			return perm.Err
		}
		time.Sleep(delay)
		delay *= 2
	}
	return err
}

func (p HttpProviderImpl) Head(url string) (resp *http.Response, err error) {
	httpClient := &http.Client{
		Transport: makeHeadBucketTransport(p.logger, getHeadBucketTransportDelegate(p.logger)),
	}

	op := func() error {
		resp, err = httpClient.Head(url)
		err = wrapForRetryer(err)
		if err != nil {
			p.logger.Printf("attempt failed for HTTP HEAD request: url=%v, error=%v", url, err)
		}
		return err
	}

	retry(op, 100*time.Millisecond, 5)

	if err != nil {
		p.logger.Printf("HTTP HEAD request failed: url=%v, error=%v", url, err)
	}
	return resp, err
}

// RoundTripper with special handling for the locationless redirects that S3 returns.
type headBucketTransport struct {
	logger   *log.Logger
	delegate http.RoundTripper
}

// Creates a new headBucketTransport using the supplied logger and delegate.
func makeHeadBucketTransport(logger *log.Logger, delegate http.RoundTripper) headBucketTransport {
	return headBucketTransport{
		logger:   logger,
		delegate: delegate,
	}
}

// If err is non-retryable, then wrap it in *PermanentError to signal to
// the retryer that the error should not be retried.
func wrapForRetryer(err error) error {
	if err == nil {
		return nil
	}
	if strings.Contains(err.Error(), "certificate is valid for") { // SSL cert validation error
		return &PermanentError{Err: err}
	}
	return err
}

// RoundTrip sends an HTTP request and returns the result, overriding the status
// code of locationless S3 redirects so the http.Client does not swallow them.
func (trans headBucketTransport) RoundTrip(request *http.Request) (resp *http.Response, err error) {
	resp, err = trans.delegate.RoundTrip(request)
	if err == nil && resp != nil && goHttpClientWillFollowRedirect(resp.StatusCode) {
		if resp.Header != nil && resp.Header.Get("Location") == "" && resp.Header.Get(bucketRegionHeader) != "" {
			trans.logger.Printf("redirect response missing Location header, overriding status code")
			resp.StatusCode = 200
		}
	}
	return
}

// See redirectBehavior() in http.Client
func goHttpClientWillFollowRedirect(statusCode int) bool {
	return statusCode == 301 || statusCode == 302 || statusCode == 303 || statusCode == 307 || statusCode == 308
}
