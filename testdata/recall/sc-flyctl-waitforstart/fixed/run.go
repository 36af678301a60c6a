// Recall case sc-flyctl-waitforstart
// Source: github.com/superfly/flyctl commit 49f26f63e2a514329f1dbb0b6b9246a20553fc62 (internal/command/machine/run.go)
// Link: https://github.com/superfly/flyctl/commit/49f26f63e2a514329f1dbb0b6b9246a20553fc62
// Bug: WaitForStart only treats context.DeadlineExceeded specially; when the caller's ctx is cancelled (Ctrl-C) the context.Canceled error from flapsClient.Wait falls into the generic "err != nil" branch, which sleeps and retries forever instead of returning.
// Fix: a new case errors.Is(err, context.Canceled) returns the error immediately (and the timeout error is wrapped with %w).
// Rule: swallowcancel
package machine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

type V1Machine struct {
	ID         string
	InstanceID string
}

// Client is a reduced stand-in for pkg/flaps.Client (machines API over HTTP).
type Client struct {
	baseURL    string
	authToken  string
	httpClient *http.Client
}

func (f *Client) Wait(ctx context.Context, machine *V1Machine) ([]byte, error) {
	waitEndpoint := fmt.Sprintf("/%s/wait", machine.ID)
	if machine.InstanceID != "" {
		waitEndpoint += fmt.Sprintf("?instance_id=%s", machine.InstanceID)
	}
	return f.sendRequest(ctx, http.MethodGet, waitEndpoint, nil)
}

func (f *Client) sendRequest(ctx context.Context, method, endpoint string, data []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, f.baseURL+endpoint, bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("could not create new request, %w", err)
	}
	req.Header.Add("Authorization", fmt.Sprintf("Bearer %s", f.authToken))

	resp, err := f.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("request returned non-2xx status, %d", resp.StatusCode)
	}
	return io.ReadAll(resp.Body)
}

// Backoff is a stand-in for github.com/jpillora/backoff.Backoff.
type Backoff struct {
	Min, Max time.Duration
	Factor   float64
	Jitter   bool
	attempt  float64
}

func (b *Backoff) Duration() time.Duration {
	d := float64(b.Min)
	for i := 0.0; i < b.attempt; i++ {
		d *= b.Factor
	}
	b.attempt++
	if d > float64(b.Max) {
		return b.Max
	}
	return time.Duration(d)
}

func WaitForStart(ctx context.Context, flapsClient *Client, machine *V1Machine) error {
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	b := &Backoff{
		Min:    500 * time.Millisecond,
		Max:    2 * time.Second,
		Factor: 2,
		Jitter: false,
	}
	for {
		_, err := flapsClient.Wait(waitCtx, machine)
		switch {
		case errors.Is(err, context.Canceled):
			return err
		case errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("timeout reached waiting for machine to start %w", err)
		case err != nil:
			time.Sleep(b.Duration())
			continue
		}
		return nil
	}
}
