// Recall case uw-turbopuffer-go-retrywait
// Source: github.com/turbopuffer/turbopuffer-go commit 0f07f4820355d9a3c44790391457d0d468ea932c (internal/requestconfig/requestconfig.go)
// Link: https://github.com/turbopuffer/turbopuffer-go/commit/0f07f4820355d9a3c44790391457d0d468ea932c
// Bug: RequestConfig.Execute waits between retries with time.Sleep(retryDelay(...)) although the request carries a ctx, so cancelling the request while it waits to retry has no effect until the backoff (up to 8s, or a Retry-After of up to 30min) elapses.
// Fix: replace the sleep with select { case <-ctx.Done(): return ctx.Err(); case <-time.After(retryDelay(...)): }.
// Rule: uncancellablewait
package requestconfig

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type RequestConfig struct {
	MaxRetries     int
	RequestTimeout time.Duration
	Request        *http.Request
	BaseURL        *url.URL
	HTTPClient     *http.Client
	Body           io.Reader
	ResponseInto   **http.Response
}

func isBeforeContextDeadline(t time.Time, ctx context.Context) bool {
	if ctx == nil {
		return true
	}
	if deadline, ok := ctx.Deadline(); ok {
		return t.Before(deadline)
	}
	return true
}

func shouldRetry(req *http.Request, res *http.Response) bool {
	// If there is no way to recover the Body, then we shouldn't retry.
	if req.Body != nil && req.GetBody == nil {
		return false
	}

	// If there is no response, that indicates that there is a connection error
	// so we retry the request.
	if res == nil {
		return true
	}

	// If the header explicitly wants a retry behavior, respect that over the
	// http status code.
	if res.Header.Get("x-should-retry") == "true" {
		return true
	}
	if res.Header.Get("x-should-retry") == "false" {
		return false
	}

	return res.StatusCode == http.StatusRequestTimeout ||
		res.StatusCode == http.StatusConflict ||
		res.StatusCode == http.StatusTooManyRequests ||
		res.StatusCode >= http.StatusInternalServerError
}

func parseRetryAfterHeader(res *http.Response) (time.Duration, bool) {
	if res == nil {
		return 0, false
	}
	if s, err := strconv.ParseFloat(res.Header.Get("Retry-After"), 64); err == nil {
		return time.Duration(s * float64(time.Second)), true
	}
	return 0, false
}

const retryAfterLimit = time.Duration(30) * time.Minute

func retryDelay(res *http.Response, retryCount int) time.Duration {
	// If the API asks us to wait a certain amount of time (and it's a reasonable amount),
	// just do what it says.

	if retryAfterDelay, ok := parseRetryAfterHeader(res); ok && 0 <= retryAfterDelay && retryAfterDelay < retryAfterLimit {
		return retryAfterDelay
	}

	maxDelay := 8 * time.Second
	delay := time.Duration(0.25 * float64(time.Second) * math.Pow(2, float64(retryCount)))
	if delay > maxDelay {
		delay = maxDelay
	}

	jitter := rand.Int63n(int64(delay / 4))
	delay -= time.Duration(jitter)
	return delay
}

func (cfg *RequestConfig) Execute() (err error) {
	if cfg.BaseURL == nil {
		return fmt.Errorf("requestconfig: base url is not set")
	}

	cfg.Request.URL, err = cfg.BaseURL.Parse(strings.TrimLeft(cfg.Request.URL.String(), "/"))
	if err != nil {
		return err
	}

	if body, ok := cfg.Body.(*bytes.Buffer); ok && cfg.Request.Body == nil {
		b := body.Bytes()
		cfg.Request.ContentLength = int64(body.Len())
		cfg.Request.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		cfg.Request.Body, _ = cfg.Request.GetBody()
	}

	handler := cfg.HTTPClient.Do

	var res *http.Response
	var cancel context.CancelFunc
	for retryCount := 0; retryCount <= cfg.MaxRetries; retryCount += 1 {
		ctx := cfg.Request.Context()
		if cfg.RequestTimeout != time.Duration(0) && isBeforeContextDeadline(time.Now().Add(cfg.RequestTimeout), ctx) {
			ctx, cancel = context.WithTimeout(ctx, cfg.RequestTimeout)
			defer func() {
				// The cancel function is nil if it was handed off to be handled in a different scope.
				if cancel != nil {
					cancel()
				}
			}()
		}

		req := cfg.Request.Clone(ctx)
		req.Header.Set("X-Stainless-Retry-Count", strconv.Itoa(retryCount))

		res, err = handler(req)
		if ctx != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		if !shouldRetry(cfg.Request, res) || retryCount >= cfg.MaxRetries {
			break
		}

		// Prepare next request and wait for the retry delay
		if cfg.Request.GetBody != nil {
			cfg.Request.Body, err = cfg.Request.GetBody()
			if err != nil {
				return err
			}
		}

		// Can't actually refresh the body, so we don't attempt to retry here
		if cfg.Request.GetBody == nil && cfg.Request.Body != nil {
			break
		}

		// Close the response body before retrying to prevent connection leaks
		if res != nil && res.Body != nil {
			res.Body.Close()
		}

		time.Sleep(retryDelay(res, retryCount))
	}

	if cfg.ResponseInto != nil {
		*cfg.ResponseInto = res
	}

	// If there was a connection error in the final request or any other transport error,
	// return that early without trying to coerce into an APIError.
	if err != nil {
		return err
	}

	if res.StatusCode >= 400 {
		contents, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		return fmt.Errorf("api error %d: %s", res.StatusCode, contents)
	}
	return nil
}
