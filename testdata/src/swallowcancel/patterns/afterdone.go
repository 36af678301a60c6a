package patterns

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"
)

// Retry loops whose tests are not `err != nil`, judged by playing one
// round after the attempt failed with its context's error (other results
// zero).

type clusterState struct{ State int }

const running = 1

var errNoKeeper = errors.New("no keeper")

type keeperClient interface {
	ClusterState(ctx context.Context) (clusterState, error)
}

type httpKeeper struct {
	url string
	hc  *http.Client
}

func (k *httpKeeper) ClusterState(ctx context.Context) (clusterState, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return clusterState{}, err
	}
	resp, err := k.hc.Do(req)
	if err != nil {
		return clusterState{}, err
	}
	resp.Body.Close()
	return clusterState{State: running}, nil
}

// matrixone's waitHAKeeperRunning: once the context has expired the state
// is zero, "not running", and the loop goes round for ever.
func waitKeeperRunning(client keeperClient) error {
	ctx, cancel := context.WithTimeout(context.TODO(), 30*time.Second)
	defer cancel()
	for {
		state, err := client.ClusterState(ctx) // want `when ClusterState fails with the context's error \(from patterns.keeperClient.ClusterState, which passes ctx to \(\*http.Client\).Do\) \(its other results zero\), every way through this loop leads back to it without checking the context: once the context is done the loop retries for ever`
		if errors.Is(err, errNoKeeper) || state.State != running {
			log.Println("keeper not ready, retry")
			time.Sleep(time.Second)
			continue
		}
		return err
	}
}

// The fix: a deadline error ends the wait.
func waitKeeperRunningFixed(client keeperClient) error {
	ctx, cancel := context.WithTimeout(context.TODO(), 2*time.Minute)
	defer cancel()
	for {
		state, err := client.ClusterState(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		if errors.Is(err, errNoKeeper) || state.State != running {
			time.Sleep(time.Second)
			continue
		}
		return err
	}
}

// A loop that leaves on any error is no retry.
func waitKeeperOrFail(ctx context.Context, client keeperClient) error {
	for {
		state, err := client.ClusterState(ctx)
		if err != nil {
			return err
		}
		if state.State != running {
			time.Sleep(time.Second)
			continue
		}
		return nil
	}
}

// A retry predicate the caller supplies, nil by default (clink's
// ShouldRetryFunc): with none, every failure is retried after a pause.
type retryClient struct {
	hc          *http.Client
	maxRetries  int
	shouldRetry func(*http.Request, *http.Response, error) bool
}

func (c *retryClient) Do(req *http.Request) (*http.Response, error) {
	var resp *http.Response
	var err error
	for attempt := 0; attempt <= c.maxRetries; attempt++ {
		resp, err = c.hc.Do(req) // want `when Do fails with the context's error \(from \(\*http.Client\).Do\), this loop pauses and tries again without checking the context: once the context is done every attempt fails at once and the loop sleeps through all its attempts`
		if c.shouldRetry != nil && !c.shouldRetry(req, resp, err) {
			break
		}
		if attempt < c.maxRetries {
			time.Sleep(time.Duration(attempt) * time.Second)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("do request: %w", err)
	}
	return resp, nil
}

// The fix: the request's context is looked at before each pause.
func (c *retryClient) DoFixed(req *http.Request) (*http.Response, error) {
	var resp *http.Response
	var err error
	for attempt := 0; attempt <= c.maxRetries; attempt++ {
		resp, err = c.hc.Do(req)
		if c.shouldRetry != nil && !c.shouldRetry(req, resp, err) {
			break
		}
		if req.Context().Err() != nil {
			return nil, req.Context().Err()
		}
		if attempt < c.maxRetries {
			time.Sleep(time.Duration(attempt) * time.Second)
		}
	}
	return resp, err
}

// A predicate that always runs decides on every error: it may stop on a
// cancellation, and the analysis does not guess that it does not.
func (c *retryClient) DoJudged(req *http.Request) (*http.Response, error) {
	var resp *http.Response
	var err error
	for attempt := 0; attempt <= c.maxRetries; attempt++ {
		resp, err = c.hc.Do(req)
		if !c.shouldRetry(req, resp, err) {
			break
		}
		time.Sleep(time.Second)
	}
	return resp, err
}

// restful's Do: the loop runs while there is no response, which a
// cancellation leaves nil.
func doWithRetries(ctx context.Context, hc *http.Client, req *http.Request, retries int, backoff func(int) time.Duration) (*http.Response, error) {
	req = req.WithContext(ctx)
	resp, err := hc.Do(req)
	for i := 0; i < retries && (resp == nil || resp.StatusCode >= 502); i++ {
		if resp != nil {
			resp.Body.Close()
		}
		time.Sleep(backoff(i))
		resp, err = hc.Do(req) // want `when Do fails with the context's error \(from \(\*http.Client\).Do\), this loop pauses and tries again`
	}
	return resp, err
}

// The fix: the loop condition stops on a context's error.
func doWithRetriesFixed(ctx context.Context, hc *http.Client, req *http.Request, retries int, backoff func(int) time.Duration) (*http.Response, error) {
	req = req.WithContext(ctx)
	resp, err := hc.Do(req)
	for i := 0; i < retries && !isDeadlineOrCancel(err) && (resp == nil || resp.StatusCode >= 502); i++ {
		if resp != nil {
			resp.Body.Close()
		}
		time.Sleep(backoff(i))
		resp, err = hc.Do(req)
	}
	return resp, err
}

func isDeadlineOrCancel(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// Three quick attempts delay a cancelled caller by little.
func doThreeTimes(ctx context.Context, hc *http.Client, req *http.Request) (*http.Response, error) {
	req = req.WithContext(ctx)
	resp, err := hc.Do(req)
	for i := 0; i < 3 && resp == nil; i++ {
		time.Sleep(100 * time.Millisecond)
		resp, err = hc.Do(req)
	}
	return resp, err
}
