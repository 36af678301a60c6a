// Recall case nd-trillian-examples-feedlog
// Source: github.com/google/trillian-examples commit 7584103b6f6aaad12ddd4839e7fb32d2534641fe (internal/feeder/serverless/serverless_feeder.go)
// Link: https://github.com/google/trillian-examples/commit/7584103b6f6aaad12ddd4839e7fb32d2534641fe
// Bug: FeedLog receives a ctx but calls feeder.Run / feeder.FeedOnce with context.Background(), so the HTTP checkpoint fetches and witness submissions of the one-shot path run with no deadline and the feeder never stops when the caller ctx is cancelled.
// Fix: FeedLog passes its ctx to Run and FeedOnce.
// Rule: nodeadline
package serverless

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"time"
)

// Witness describes the operations the feeder needs to interact with a witness.
type Witness interface {
	GetLatestCheckpoint(ctx context.Context, logID string) ([]byte, error)
	Update(ctx context.Context, logID string, newCP []byte) ([]byte, error)
}

// FeedOpts holds parameters when calling the Feed function.
type FeedOpts struct {
	LogID           string
	FetchCheckpoint func(ctx context.Context) ([]byte, error)
	Witness         Witness
}

// FeedOnce sends the provided checkpoint to the configured witness.
// This method will block until a witness signature is obtained,
// or the context becomes done.
func FeedOnce(ctx context.Context, opts FeedOpts) ([]byte, error) {
	cp, err := opts.FetchCheckpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to read input checkpoint: %v", err)
	}
	latest, err := opts.Witness.GetLatestCheckpoint(ctx, opts.LogID)
	if err != nil {
		return nil, fmt.Errorf("failed to fetch latest CP from witness: %v", err)
	}
	if bytes.Equal(latest, cp) {
		return latest, nil
	}
	wCP, err := opts.Witness.Update(ctx, opts.LogID, cp)
	if err != nil {
		return nil, fmt.Errorf("witness submission failed: %v", err)
	}
	return wCP, nil
}

// Run periodically initiates a feed cycle, fetching a checkpoint from the source log and
// submitting it to the witness.
// Calling this function will block until the context is done.
func Run(ctx context.Context, interval time.Duration, opts FeedOpts) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		// Create a scope with a bounded context so we don't get wedged if something goes wrong.
		func() {
			ctx, cancel := context.WithTimeout(ctx, interval)
			defer cancel()

			if _, err := FeedOnce(ctx, opts); err != nil {
				log.Printf("Feeding log %q failed: %v", opts.LogID, err)
			}
		}()

		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Fetcher fetches a file relative to the root of a log.
type Fetcher func(ctx context.Context, path string) ([]byte, error)

// newFetcher creates a Fetcher for the log at the given root location.
// If the scheme is http/https then the client provided will be used.
func newFetcher(c *http.Client, root *url.URL) Fetcher {
	var get func(context.Context, *url.URL) ([]byte, error)
	switch root.Scheme {
	case "http", "https":
		get = func(ctx context.Context, u *url.URL) ([]byte, error) {
			req, err := http.NewRequest("GET", u.String(), nil)
			if err != nil {
				return nil, err
			}
			resp, err := c.Do(req.WithContext(ctx))
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			return io.ReadAll(resp.Body)
		}
	case "file":
		get = func(_ context.Context, u *url.URL) ([]byte, error) {
			return os.ReadFile(u.Path)
		}
	default:
		panic(fmt.Errorf("unsupported URL scheme %s", root.Scheme))
	}

	return func(ctx context.Context, p string) ([]byte, error) {
		u, err := root.Parse(p)
		if err != nil {
			return nil, err
		}
		return get(ctx, u)
	}
}

// FeedLog periodically feeds checkpoints from the log to the witness.
// This function returns once the provided context is done.
func FeedLog(ctx context.Context, logID, logURL string, w Witness, c *http.Client, interval time.Duration) error {
	lURL, err := url.Parse(logURL)
	if err != nil {
		return fmt.Errorf("invalid LogURL %q: %v", logURL, err)
	}
	f := newFetcher(c, lURL)

	fetchCP := func(ctx context.Context) ([]byte, error) {
		return f(ctx, "checkpoint")
	}

	opts := FeedOpts{
		LogID:           logID,
		FetchCheckpoint: fetchCP,
		Witness:         w,
	}
	if interval > 0 {
		return Run(context.Background(), interval, opts)
	}
	_, err = FeedOnce(context.Background(), opts)
	return err
}
