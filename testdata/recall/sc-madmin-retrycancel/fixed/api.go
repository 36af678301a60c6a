// Recall case sc-madmin-retrycancel
// Source: github.com/minio/madmin-go commit 6aad3ae5bc1930cb11c829fdf754b2e35915561e (api.go)
// Link: https://github.com/minio/madmin-go/commit/6aad3ae5bc1930cb11c829fdf754b2e35915561e
// Bug: executeMethod compares the http error with == against context.Canceled/DeadlineExceeded; the client returns a *url.Error wrapping them, so a cancelled caller falls into "retry all network errors" and keeps retrying.
// Fix: give up when ctx.Err() != nil and return ctx.Err() instead of the == comparison.
// Rule: swallowcancel
package madmin

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

var MaxRetry = 10

const (
	MaxJitter        = 1.0
	NoJitter         = 0.0
	DefaultRetryUnit = time.Second
	DefaultRetryCap  = time.Second * 30
)

type requestData struct {
	relPath string
	content []byte
}

// AdminClient implements Amazon S3 compatible methods.
type AdminClient struct {
	endpointURL *url.URL
	httpClient  *http.Client
	random      *rand.Rand
}

var successStatus = []int{
	http.StatusOK,
	http.StatusNoContent,
	http.StatusPartialContent,
}

func closeResponse(resp *http.Response) {
	if resp != nil && resp.Body != nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// ErrorResponse is the admin API error.
type ErrorResponse struct {
	Code    string
	Message string
}

func (e ErrorResponse) Error() string { return e.Code + ": " + e.Message }

func httpRespToErrorResponse(resp *http.Response) error {
	b, _ := io.ReadAll(resp.Body)
	return ErrorResponse{Code: resp.Status, Message: string(b)}
}

func ToErrorResponse(err error) ErrorResponse {
	var e ErrorResponse
	if errors.As(err, &e) {
		return e
	}
	return ErrorResponse{}
}

var retryableAdminErrCodes = map[string]struct{}{
	"RequestError":   {},
	"RequestTimeout": {},
	"Throttling":     {},
	"SlowDown":       {},
}

func isAdminErrCodeRetryable(code string) (ok bool) {
	_, ok = retryableAdminErrCodes[code]
	return ok
}

var retryableHTTPStatusCodes = map[int]struct{}{
	http.StatusRequestTimeout:     {},
	http.StatusTooManyRequests:    {},
	http.StatusBadGateway:         {},
	http.StatusServiceUnavailable: {},
}

func isHTTPStatusRetryable(httpStatusCode int) (ok bool) {
	_, ok = retryableHTTPStatusCodes[httpStatusCode]
	return ok
}

func (adm AdminClient) newRetryTimer(ctx context.Context, maxRetry int, unit time.Duration, cap time.Duration, jitter float64) <-chan int {
	attemptCh := make(chan int)

	exponentialBackoffWait := func(attempt int) time.Duration {
		sleep := unit * 1 << uint(attempt)
		if sleep > cap {
			sleep = cap
		}
		if jitter > NoJitter {
			sleep -= time.Duration(adm.random.Float64() * float64(sleep) * jitter)
		}
		return sleep
	}

	go func() {
		defer close(attemptCh)
		for i := 0; i < maxRetry; i++ {
			select {
			case attemptCh <- i + 1:
			case <-ctx.Done():
				return
			}

			select {
			case <-time.After(exponentialBackoffWait(i)):
			case <-ctx.Done():
				return
			}
		}
	}()
	return attemptCh
}

func (adm AdminClient) newRequest(ctx context.Context, method string, reqData requestData) (*http.Request, error) {
	if method == "" {
		method = "POST"
	}
	targetURL := adm.endpointURL.JoinPath(reqData.relPath)
	req, err := http.NewRequestWithContext(ctx, method, targetURL.String(), bytes.NewReader(reqData.content))
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(reqData.content))
	return req, nil
}

func (adm AdminClient) do(req *http.Request) (*http.Response, error) {
	resp, err := adm.httpClient.Do(req)
	if err != nil {
		if urlErr, ok := err.(*url.Error); ok {
			if strings.Contains(urlErr.Err.Error(), "EOF") {
				return nil, &url.Error{
					Op:  urlErr.Op,
					URL: urlErr.URL,
					Err: errors.New("Connection closed by foreign host " + urlErr.URL + ". Retry again."),
				}
			}
		}
		return nil, err
	}
	return resp, nil
}

func (adm AdminClient) executeMethod(ctx context.Context, method string, reqData requestData) (res *http.Response, err error) {
	reqRetry := MaxRetry // Indicates how many times we can retry the request
	defer func() {
		if err != nil {
			// close idle connections before returning, upon error.
			adm.httpClient.CloseIdleConnections()
		}
	}()

	// Create cancel context to control 'newRetryTimer' go routine.
	retryCtx, cancel := context.WithCancel(ctx)

	// Indicate to our routine to exit cleanly upon return.
	defer cancel()

	for range adm.newRetryTimer(retryCtx, reqRetry, DefaultRetryUnit, DefaultRetryCap, MaxJitter) {
		// Instantiate a new request.
		var req *http.Request
		req, err = adm.newRequest(ctx, method, reqData)
		if err != nil {
			return nil, err
		}

		// Initiate the request.
		res, err = adm.do(req)
		if err != nil {
			// Give up right away if it is a connection refused problem
			if errors.Is(err, syscall.ECONNREFUSED) {
				return nil, err
			}
			// Give up if caller canceled.
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// retry all network errors.
			continue
		}

		// For any known successful http status, return quickly.
		for _, httpStatus := range successStatus {
			if httpStatus == res.StatusCode {
				return res, nil
			}
		}

		// Read the body to be saved later.
		errBodyBytes, err := io.ReadAll(res.Body)
		// res.Body should be closed
		closeResponse(res)
		if err != nil {
			return nil, err
		}

		// Save the body.
		errBodySeeker := bytes.NewReader(errBodyBytes)
		res.Body = io.NopCloser(errBodySeeker)

		// For errors verify if its retryable otherwise fail quickly.
		errResponse := ToErrorResponse(httpRespToErrorResponse(res))

		// Save the body back again.
		errBodySeeker.Seek(0, 0) // Seek back to starting point.
		res.Body = io.NopCloser(errBodySeeker)

		// Verify if error response code is retryable.
		if isAdminErrCodeRetryable(errResponse.Code) {
			continue // Retry.
		}

		// Verify if http status code is retryable.
		if isHTTPStatusRetryable(res.StatusCode) {
			continue // Retry.
		}

		break
	}

	// Return an error when retry is canceled or deadlined
	if e := retryCtx.Err(); e != nil {
		return nil, e
	}

	return res, err
}
