package patterns

import (
	"context"
	"errors"
	"log"
	"net/http"
	"time"
)

func healthy(ctx context.Context, c *http.Client, url string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

// A poll that waits for a condition returns nil when it is met; nil when
// the context is done too leaves its caller unable to tell ready from
// gave up (compose's waitDependency).
func waitHealthy(ctx context.Context, c *http.Client, url string) error {
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
		case <-ctx.Done():
			return nil // want `returning nil when ctx is done tells the caller the work finished when it was abandoned: return ctx.Err\(\)`
		}
		ok, err := healthy(ctx, c, url)
		if ok || err != nil {
			return err
		}
	}
}

func waitSleeping(ctx context.Context, c *http.Client, url string) error {
	for {
		if ok, _ := healthy(ctx, c, url); ok {
			return nil
		}
		time.Sleep(time.Second)
		select {
		case <-ctx.Done():
			return nil // want `returning nil when ctx is done`
		case <-time.After(time.Second):
		}
	}
}

// Not reported: a deadline told from a cancel, the cancel chosen to end
// quietly (compose's fix: Ctrl-C stays silent).
func waitHealthyChosen(ctx context.Context, c *http.Client, url string) error {
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return ctx.Err()
			}
			return nil
		}
		ok, err := healthy(ctx, c, url)
		if ok || err != nil {
			return err
		}
	}
}

// Not reported: a periodic worker runs until cancelled; it has no other
// way to succeed.
func refreshLoop(ctx context.Context, c *http.Client, url string) error {
	ticker := time.NewTicker(time.Minute)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			if _, err := healthy(ctx, c, url); err != nil {
				log.Print(err)
			}
		case <-ctx.Done():
			return nil
		}
	}
}

func refreshOrFail(ctx context.Context, c *http.Client, url string) error {
	ticker := time.NewTicker(time.Minute)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			if _, err := healthy(ctx, c, url); err != nil {
				return err
			}
		case <-ctx.Done():
			return nil
		}
	}
}

// Not reported: a consumer ends when its source closes or its context
// ends; no clock, no poll.
func consume(ctx context.Context, in <-chan string) error {
	for {
		select {
		case s, ok := <-in:
			if !ok {
				return nil
			}
			log.Print(s)
		case <-ctx.Done():
			return nil
		}
	}
}
