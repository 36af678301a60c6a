package runners

import (
	"context"
	"net/http"
	"time"
)

// elastic-agent's downloadWithRetries: the parameter is reassigned to a
// fresh budget, which the operation literal handed to a retry helper (that
// calls it during the call) uses for its download.

type downloader interface {
	Download(ctx context.Context, url string) error
}

type httpDownloader struct{ client *http.Client }

func (d *httpDownloader) Download(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func retryNotify(ctx context.Context, op func() error, attempts int) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = op(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return err
}

type upgrader struct{ timeout time.Duration }

func (u *upgrader) downloadWithRetries(ctx context.Context, d downloader, url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), u.timeout) // want `context.WithTimeout\(context.Background\(\), …\) starts a fresh u.timeout budget that ignores ctx's deadline and cancellation`
	defer cancel()
	op := func() error { return d.Download(ctx, url) }
	return retryNotify(ctx, op, 3)
}

// Fixed: the budget derives from the caller's context.
func (u *upgrader) downloadWithRetriesFixed(ctx context.Context, d downloader, url string) error {
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	op := func() error { return d.Download(ctx, url) }
	return retryNotify(ctx, op, 3)
}

// The fresh budget goes to a goroutine that outlives the call: detached
// work, on purpose.
func (u *upgrader) prefetch(ctx context.Context, d downloader, url string) {
	ctx, cancel := context.WithTimeout(context.Background(), u.timeout)
	go func() {
		defer cancel()
		_ = d.Download(ctx, url)
	}()
}
