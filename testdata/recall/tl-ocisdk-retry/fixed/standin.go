// Recall case tl-ocisdk-retry
// Source: github.com/oracle/oci-go-sdk commit 31b2747e57ca7144d6e03eed0e3fc73886bc7aaf (common/retry.go)
// Link: https://github.com/oracle/oci-go-sdk/commit/31b2747e57ca7144d6e03eed0e3fc73886bc7aaf
// Bug: Retry runs the attempts in a goroutine that reports on the unbuffered retrierChannel, while Retry itself returns early on <-ctx.Done(); after a cancel/timeout nobody receives, so the retrier goroutine blocks forever on its send (goroutine leak).
// Fix: retrierChannel is created with a buffer of 1 (make(chan retrierResult, 1)) so the final send never blocks.
// Rule: timeoutleak
package common

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// OCIRequest / OCIResponse / OCIOperation are reduced from common/retry.go.
type OCIRequest interface{}

type OCIResponse interface {
	HTTPResponse() *http.Response
}

type OCIOperation func(context.Context, OCIRequest) (OCIResponse, error)

type OCIOperationResponse struct {
	Response           OCIResponse
	Error              error
	AttemptNumber      uint
	initialAttemptTime time.Time
}

func NewOCIOperationResponse(response OCIResponse, err error, attempt uint, initialAttemptTime time.Time) OCIOperationResponse {
	return OCIOperationResponse{Response: response, Error: err, AttemptNumber: attempt, initialAttemptTime: initialAttemptTime}
}

type RetryPolicy struct {
	MaximumNumberAttempts uint
	ShouldRetryOperation  func(OCIOperationResponse) bool
	NextDuration          func(OCIOperationResponse) time.Duration
}

func (rp RetryPolicy) validate() (success bool, err error) {
	if rp.ShouldRetryOperation == nil || rp.NextDuration == nil {
		return false, errors.New("invalid retry policy")
	}
	return true, nil
}

// DeadlineExceededByBackoff is returned when the next backoff would exceed the ctx deadline.
var DeadlineExceededByBackoff = errors.New("now() + (next retry duration) would exceed the deadline")

func shouldContinueIssuingRequests(current, maximum uint) bool {
	return maximum == 0 || current <= maximum
}

func Debugln(args ...interface{}) {}

// httpResponse wraps a raw HTTP response as an OCIResponse.
type httpResponse struct{ raw *http.Response }

func (r httpResponse) HTTPResponse() *http.Response { return r.raw }

// BaseClient is a stand-in for common.BaseClient: Call performs the real HTTP request.
type BaseClient struct {
	HTTPClient *http.Client
	Endpoint   string
}

func (c BaseClient) getObject(ctx context.Context, request OCIRequest) (OCIResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/o/%v", c.Endpoint, request), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	return httpResponse{raw: resp}, nil
}

// GetObject mirrors a generated client method: it wraps the operation in Retry.
func (c BaseClient) GetObject(ctx context.Context, request OCIRequest, policy RetryPolicy) (OCIResponse, error) {
	return Retry(ctx, request, c.getObject, policy)
}
