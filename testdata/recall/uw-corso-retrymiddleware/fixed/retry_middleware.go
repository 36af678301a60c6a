// Recall case uw-corso-retrymiddleware
// Source: github.com/alcionai/corso commit 27909592b88ba7059d2645aa6e88018e472f652f (src/internal/connector/graph/retry_middleware.go)
// Link: https://github.com/alcionai/corso/commit/27909592b88ba7059d2645aa6e88018e472f652f
// Bug: RetryHandler.retryRequest waits out the retry delay (Retry-After / exponential backoff) with time.Sleep(delay) although it has the request ctx, so a cancelled request keeps blocking for the whole delay and then sends a retry that fails immediately.
// Fix: the sleep is replaced by a timer in a select that returns ctx.Err() on <-ctx.Done().
// Rule: uncancellablewait
package graph

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// ---------------------------------------------------------------------------
// Client Middleware
// ---------------------------------------------------------------------------

// RetryHandler handles transient HTTP responses and retries the request given the retry options
type RetryHandler struct {
	// The maximum number of times a request can be retried
	MaxRetries int
	// The delay in seconds between retries
	Delay time.Duration
}

func (middleware RetryHandler) retryRequest(
	ctx context.Context,
	pipeline Pipeline,
	middlewareIndex int,
	req *http.Request,
	resp *http.Response,
	executionCount int,
	cumulativeDelay time.Duration,
	exponentialBackoff *ExponentialBackOff,
	respErr error,
) (*http.Response, error) {
	if (respErr != nil || middleware.isRetriableErrorCode(req, resp.StatusCode)) &&
		middleware.isRetriableRequest(req) &&
		executionCount < middleware.MaxRetries {
		executionCount++

		delay := middleware.getRetryDelay(req, resp, exponentialBackoff)

		cumulativeDelay += delay

		timer := time.NewTimer(delay)

		select {
		case <-ctx.Done():
			// Don't retry if the context is marked as done, it will just error out
			// when we attempt to send the retry anyway.
			return resp, ctx.Err()

		// Will exit switch-block so the remainder of the code doesn't need to be
		// indented.
		case <-timer.C:
		}

		req.Header.Set(retryAttemptHeader, strconv.Itoa(executionCount))

		response, err := pipeline.Next(req, middlewareIndex)
		if err != nil && !IsErrTimeout(err) {
			return response, Stack(ctx, err).With("retry_count", executionCount)
		}

		return middleware.retryRequest(ctx,
			pipeline,
			middlewareIndex,
			req,
			response,
			executionCount,
			cumulativeDelay,
			exponentialBackoff,
			err)
	}

	if respErr != nil {
		return nil, Stack(ctx, respErr).With("retry_count", executionCount)
	}

	return resp, nil
}

func (middleware RetryHandler) isRetriableErrorCode(req *http.Request, code int) bool {
	return code == http.StatusInternalServerError || code == http.StatusServiceUnavailable
}

func (middleware RetryHandler) isRetriableRequest(req *http.Request) bool {
	isBodiedMethod := req.Method == "POST" || req.Method == "PUT" || req.Method == "PATCH"
	if isBodiedMethod && req.Body != nil {
		return req.ContentLength != -1
	}

	return true
}

func (middleware RetryHandler) getRetryDelay(
	req *http.Request,
	resp *http.Response,
	exponentialBackoff *ExponentialBackOff,
) time.Duration {
	var retryAfter string
	if resp != nil {
		retryAfter = resp.Header.Get(retryAfterHeader)
	}

	if retryAfter != "" {
		retryAfterDelay, err := strconv.ParseFloat(retryAfter, 64)
		if err == nil {
			return time.Duration(retryAfterDelay) * time.Second
		}
	} // TODO parse the header if it's a date

	return exponentialBackoff.NextBackOff()
}
