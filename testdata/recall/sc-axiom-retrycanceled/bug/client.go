// Recall case sc-axiom-retrycanceled
// Source: github.com/axiomhq/axiom-go commit 363162402e67121fd5edbb61ccfbe8610a1ec093 (axiom/client.go)
// Link: https://github.com/axiomhq/axiom-go/pull/281
// Bug: the backoff.Retry operation returns every httpClient.Do error as retryable, so a request whose ctx was cancelled is retried until MaxElapsedTime.
// Fix: errors.Is(err, context.Canceled) is returned as backoff.Permanent(err), ending the retry loop.
// Rule: swallowcancel
package axiom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// permanentError and Retry stand in for github.com/cenkalti/backoff/v4.
type permanentError struct{ Err error }

func (e *permanentError) Error() string { return e.Err.Error() }
func (e *permanentError) Unwrap() error { return e.Err }

func Permanent(err error) error { return &permanentError{Err: err} }

func Retry(operation func() error, initial, maxElapsed time.Duration) error {
	start, next := time.Now(), initial
	for {
		err := operation()
		if err == nil {
			return nil
		}
		var permanent *permanentError
		if errors.As(err, &permanent) {
			return permanent.Err
		}
		if time.Since(start)+next > maxElapsed {
			return err
		}
		time.Sleep(next)
		next *= 2
	}
}

type Client struct {
	httpClient *http.Client
}

func (c *Client) Do(req *http.Request) (*http.Response, error) {
	var (
		resp *http.Response
		err  error
	)
	err = Retry(func() error {
		if resp, err = c.httpClient.Do(req); err != nil {
			return err
		}

		// Only retry in the case the status code is >= 500.
		if code := resp.StatusCode; code >= 500 {
			_ = resp.Body.Close()
			if req.Body, err = req.GetBody(); err != nil {
				return Permanent(err)
			}
			return fmt.Errorf("got status code %d", code)
		}
		return nil
	}, time.Millisecond*200, time.Second*10)
	return resp, err
}

func (c *Client) Ingest(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, http.NoBody)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}
