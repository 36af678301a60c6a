package patterns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"
)

var errPingTimeout = errors.New("server connect timeout")

// Each failed ping is counted and dropped; when all fail the caller gets
// errPingTimeout, also when it cancelled (speedtest-go's HTTPPing).
func pingTimes(ctx context.Context, c *http.Client, url string, n int) ([]time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	var took []time.Duration
	failed := 0
	for i := 0; i < n; i++ {
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			failed++
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		took = append(took, time.Since(start))
	}
	if failed == n {
		return nil, errPingTimeout // want `patterns.errPingTimeout, returned once the attempts are used up, replaces their errors, which may be a context cancellation \(from \(\*http.Client\).Do\), and the loop drops each one unread`
	}
	return took, nil
}

// Three tries, then a made-up error.
func fetchThrice(ctx context.Context, c *http.Client, req *http.Request) (*http.Response, error) {
	req = req.WithContext(ctx)
	for i := 0; i < 3; i++ {
		resp, err := c.Do(req)
		if err == nil {
			return resp, nil
		}
	}
	return nil, fmt.Errorf("gave up after 3 attempts") // want `fmt.Errorf, returned once the attempts are used up, replaces their errors`
}

// Negatives.

// The fix: a cancellation ends the pings with its own error.
func pingTimesFixed(ctx context.Context, c *http.Client, url string, n int) ([]time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	var took []time.Duration
	failed := 0
	for i := 0; i < n; i++ {
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return took, err
			}
			failed++
			continue
		}
		_ = resp.Body.Close()
		took = append(took, time.Since(start))
	}
	if failed == n {
		return nil, errPingTimeout
	}
	return took, nil
}

// The context is looked at after the loop: a cancelled caller gets its
// error.
func fetchThriceChecked(ctx context.Context, c *http.Client, req *http.Request) (*http.Response, error) {
	req = req.WithContext(ctx)
	for i := 0; i < 3; i++ {
		resp, err := c.Do(req)
		if err == nil {
			return resp, nil
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("gave up after 3 attempts")
}

// The last error is wrapped: errors.Is still finds a cancellation.
func fetchThriceWrapped(ctx context.Context, c *http.Client, req *http.Request) (*http.Response, error) {
	req = req.WithContext(ctx)
	var last error
	for i := 0; i < 3; i++ {
		resp, err := c.Do(req)
		if err == nil {
			return resp, nil
		}
		last = err
	}
	return nil, fmt.Errorf("gave up after 3 attempts: %w", last)
}

// Each round asks a different server, a failover: once the caller
// cancels, every server fails at once and the caller is told none
// answered (dendrite's lookupEvent logged each failure, then returned
// "wasn't able to find event via N servers").
func firstAnswer(ctx context.Context, c *http.Client, urls []string) (*http.Response, error) {
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			continue
		}
		resp, err := c.Do(req)
		if err != nil {
			log.Printf("server %s: %v", u, err)
			continue
		}
		return resp, nil
	}
	return nil, errors.New("no server answered") // want `errors.New, returned once the attempts are used up, replaces their errors`
}

// Fixed: a done context ends the failover with its own error.
func firstAnswerFixed(ctx context.Context, c *http.Client, urls []string) (*http.Response, error) {
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			continue
		}
		resp, err := c.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			log.Printf("server %s: %v", u, err)
			continue
		}
		return resp, nil
	}
	return nil, errors.New("no server answered")
}

// The failures are kept for the caller (a helper of the package, which
// may keep them, hears of each): not dropped.
func firstAnswerKept(ctx context.Context, c *http.Client, urls []string, note func(error)) (*http.Response, error) {
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			continue
		}
		resp, err := c.Do(req)
		if err != nil {
			recordFailure(u, err)
			continue
		}
		return resp, nil
	}
	return nil, errors.New("no server answered")
}

var failures = map[string]error{}

func recordFailure(u string, err error) { failures[u] = err }

// The context is the function's own: its deadline running out is the
// function's to report.
func pingOwnBudget(c *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	for i := 0; i < 3; i++ {
		resp, err := c.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			return nil
		}
	}
	return errPingTimeout
}
