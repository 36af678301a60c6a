// Package unusedbudget: budgets made and never applied to the wait they
// are meant to bound.
package unusedbudget

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

type puller struct {
	ctx    context.Context // the driver's context, cancelled at shutdown
	client *http.Client
}

func (p *puller) get(ctx context.Context, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// --- reported ---

// nomad's pullImageImpl: the timeout is read after a pull it never bounded.
func (p *puller) pull(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout) // want `the budget context.WithTimeout makes bounds nothing: only its Err is read, while \(\*unusedbudget.puller\).get waits on p.ctx; give the wait this context \(derived from p.ctx\)`
	defer cancel()
	body, err := p.get(p.ctx, url)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ctx.Err()
	}
	if err != nil {
		return err
	}
	return body.Close()
}

// --- not reported ---

// The fix: the wait gets the budget, derived from the driver's context.
func (p *puller) pullFixed(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	body, err := p.get(ctx, url)
	if err != nil {
		return err
	}
	return body.Close()
}

// A budget read before each round bounds the loop, not a wait.
func (p *puller) pullAll(urls []string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, u := range urls {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		body, err := p.get(p.ctx, u)
		if err != nil {
			return err
		}
		body.Close()
	}
	return nil
}

// A budget waited on through Done races the wait.
func (p *puller) pullRace(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		body, err := p.get(p.ctx, url)
		if err == nil {
			body.Close()
		}
		done <- err
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-done:
		return err
	}
}
