// Recall case sc-pulumi-retrybackoff
// Source: github.com/pulumi/pulumi commit eaf1315db00514a5243cf46721c028d39c48756f (sdk/go/common/util/httputil/http.go)
// Link: https://github.com/pulumi/pulumi/commit/eaf1315db00514a5243cf46721c028d39c48756f
// Bug: doWithRetry drives its retry loop with context.Background(); when the request ctx is cancelled, client.Do fails with the context error but the acceptor treats it as retryable, so the loop keeps backing off and re-issuing the dead request instead of returning the cancellation.
// Fix: retry.Until is driven by req.Context(), and when the loop stops without acceptance doWithRetry returns req.Context().Err().
// Rule: swallowcancel
package httputil

import (
	"context"
	"net/http"
	"time"
)

// Acceptor and Until are a minimal stand-in for pulumi sdk/go/common/util/retry.
type Acceptor struct {
	Accept   func(try int, nextRetryTime time.Duration) (success bool, result any, err error)
	Delay    *time.Duration
	Backoff  *float64
	MaxDelay *time.Duration
}

// Until runs the acceptor until it succeeds, returns an error, or ctx expires
// (in which case it returns false and no result or error).
func Until(ctx context.Context, acceptor Acceptor) (bool, any, error) {
	delay := 100 * time.Millisecond
	if acceptor.Delay != nil {
		delay = *acceptor.Delay
	}
	backoff := 1.5
	if acceptor.Backoff != nil {
		backoff = *acceptor.Backoff
	}
	maxDelay := 5 * time.Second
	if acceptor.MaxDelay != nil {
		maxDelay = *acceptor.MaxDelay
	}
	try := 0
	for {
		if delay > maxDelay {
			delay = maxDelay
		}
		b, data, err := acceptor.Accept(try, delay)
		if b || err != nil {
			return b, data, err
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return false, nil, nil
		}
		delay = time.Duration(float64(delay) * backoff)
		try++
	}
}

// RetryOpts defines options to configure the retry behavior.
type RetryOpts struct {
	Delay         *time.Duration
	Backoff       *float64
	MaxDelay      *time.Duration
	MaxRetryCount *int
}

// DoWithRetry calls client.Do, and in the case of an error, retries the operation again after a slight delay.
func DoWithRetry(req *http.Request, client *http.Client) (*http.Response, error) {
	var opts RetryOpts
	return doWithRetry(req, client, opts)
}

func doWithRetry(req *http.Request, client *http.Client, opts RetryOpts) (*http.Response, error) {
	inRange := func(test, lower, upper int) bool {
		return lower <= test && test <= upper
	}

	maxRetryCount := 5
	if opts.MaxRetryCount != nil {
		maxRetryCount = *opts.MaxRetryCount
	}

	acceptor := Acceptor{
		Delay:    opts.Delay,
		Backoff:  opts.Backoff,
		MaxDelay: opts.MaxDelay,

		Accept: func(try int, _ time.Duration) (bool, any, error) {
			if try > 0 && req.GetBody != nil {
				rc, bodyErr := req.GetBody()
				if bodyErr != nil {
					return false, nil, bodyErr
				}
				req.Body = rc
			}

			res, resErr := client.Do(req)

			if resErr == nil && !inRange(res.StatusCode, 500, 599) {
				return true, res, nil
			}

			if try >= (maxRetryCount - 1) {
				return true, res, resErr
			}

			// Close the response body, if present, since our caller can't.
			if resErr == nil {
				res.Body.Close()
			}
			return false, nil, nil
		},
	}
	_, res, err := Until(context.Background(), acceptor)
	if err != nil {
		return nil, err
	}

	return res.(*http.Response), nil
}
