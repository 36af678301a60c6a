// Recall case uw-s2sdkgo-retrybackoff
// Source: github.com/s2-streamstore/s2-sdk-go commit a1ca71df3ce82122b0fc8987d260351941257631 (s2/retry.go)
// Link: https://github.com/s2-streamstore/s2-sdk-go/commit/a1ca71df3ce82122b0fc8987d260351941257631
// Bug: withRetries receives the caller's ctx but waits between attempts with time.Sleep(delay), so a cancelled/expired ctx is not noticed during backoff and the loop keeps sleeping and retrying.
// Fix: the sleep is replaced by waitForRetryBackoff(ctx, delay) (timer + select on ctx.Done()), and ctx.Err() is checked before/after each attempt so cancellation ends the loop with the context error.
// Rule: uncancellablewait
package s2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"time"
)

type RetryConfig struct {
	MaxAttempts  int
	MinBaseDelay time.Duration
	MaxBaseDelay time.Duration
}

const (
	defaultMaxAttempts  = 3
	defaultMinBaseDelay = 100 * time.Millisecond
	defaultMaxBaseDelay = 1 * time.Second
)

var DefaultRetryConfig = &RetryConfig{
	MaxAttempts:  defaultMaxAttempts,
	MinBaseDelay: defaultMinBaseDelay,
	MaxBaseDelay: defaultMaxBaseDelay,
}

type S2Error struct {
	Message string
	Code    string
	Status  int
}

func (e *S2Error) Error() string {
	return fmt.Sprintf("S2 API error %s: %s (HTTP %d)", e.Code, e.Message, e.Status)
}

func (e *S2Error) IsRetryable() bool {
	if e == nil {
		return false
	}
	switch e.Status {
	case 408, 429, 500, 502, 503, 504:
		return true
	default:
		return false
	}
}

func withRetries[T any](ctx context.Context, config *RetryConfig, logger *slog.Logger, operation func() (T, error)) (T, error) {
	var zero T

	if config == nil {
		config = DefaultRetryConfig
	}

	maxAttempts := config.MaxAttempts
	if maxAttempts < 1 {
		maxAttempts = 1
	}

	var lastError error

	for attemptNo := 1; attemptNo <= maxAttempts; attemptNo++ {
		result, err := operation()
		if err == nil {
			return result, nil
		}

		lastError = err

		if isNetworkError(ctx, err) {
			if attemptNo < maxAttempts {
				delay := calculateRetryBackoff(config, attemptNo)
				logger.Info("s2 retrying after network error",
					"attempt", attemptNo,
					"max_attempts", maxAttempts,
					"delay", delay,
					"error", err)
				time.Sleep(delay)

				continue
			}
			logger.Error("s2 network error, max attempts exhausted",
				"attempts", maxAttempts,
				"error", err)
			return zero, err
		}

		var s2Err *S2Error
		if !errors.As(err, &s2Err) {
			return zero, err
		}

		if attemptNo == maxAttempts {
			break
		}

		if !s2Err.IsRetryable() {
			return zero, s2Err
		}

		delay := calculateRetryBackoff(config, attemptNo)
		logger.Info("s2 retrying after retryable error",
			"attempt", attemptNo,
			"max_attempts", maxAttempts,
			"delay", delay,
			"status", s2Err.Status,
			"code", s2Err.Code,
			"error", s2Err.Message)
		time.Sleep(delay)
	}

	return zero, lastError
}

func calculateRetryBackoff(config *RetryConfig, attempt int) time.Duration {
	if attempt < 1 {
		return 0
	}
	minBaseDelay := config.MinBaseDelay
	if minBaseDelay <= 0 {
		minBaseDelay = defaultMinBaseDelay
	}
	maxBaseDelay := config.MaxBaseDelay
	if maxBaseDelay <= 0 {
		maxBaseDelay = defaultMaxBaseDelay
	}
	baseDelay := minBaseDelay << (attempt - 1)
	if baseDelay > maxBaseDelay || baseDelay < minBaseDelay {
		baseDelay = maxBaseDelay
	}
	jitter := time.Duration(rand.Int63n(int64(baseDelay)))
	return baseDelay + jitter
}

func isNetworkError(ctx context.Context, err error) bool {
	if err == nil {
		return false
	}
	if ctx.Err() != nil {
		return false
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return isNetworkError(ctx, urlErr.Err)
	}
	return false
}

// ---- callers (s2/basins.go, s2/http.go) ----

type Client struct {
	httpClient  *http.Client
	baseURL     string
	retryConfig *RetryConfig
	logger      *slog.Logger
}

type BasinsClient struct{ client *Client }

type ListBasinsResponse struct {
	Basins  []string `json:"basins"`
	HasMore bool     `json:"has_more"`
}

func (c *Client) request(ctx context.Context, method, path string, result interface{}) error {
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return &S2Error{Message: resp.Status, Status: resp.StatusCode}
	}
	return json.NewDecoder(resp.Body).Decode(result)
}

// List basins.
func (b *BasinsClient) List(ctx context.Context) (*ListBasinsResponse, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	return withRetries(ctx, b.client.retryConfig, b.client.logger, func() (*ListBasinsResponse, error) {
		var result ListBasinsResponse
		if err := b.client.request(ctx, "GET", "/basins", &result); err != nil {
			return nil, err
		}
		return &result, nil
	})
}
