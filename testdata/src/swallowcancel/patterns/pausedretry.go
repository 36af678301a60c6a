package patterns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"
)

// A wrapper that embeds the handle: its field is reloaded every round, the
// same handle all the same.
type store struct {
	*sql.DB
}

// A bounded retry that pauses between attempts and never looks at the
// context (harness' pingDatabase): once ctx is done it sleeps through all
// thirty attempts.
func pingDatabase(ctx context.Context, db *store) error {
	var err error
	for i := 1; i <= 30; i++ {
		err = db.PingContext(ctx) // want `retrying after err, which may be a context cancellation \(from \(\*sql.DB\).PingContext\), pausing between attempts without checking the context`
		if err == nil {
			return nil
		}
		log.Printf("ping attempt %d failed: %v", i, err)
		time.Sleep(time.Second)
	}
	return err
}

// Negatives.

// The fix: a cancellation ends the retries.
func pingDatabaseFixed(ctx context.Context, db *store) error {
	var err error
	for i := 1; i <= 30; i++ {
		err = db.PingContext(ctx)
		if err == nil {
			return nil
		}
		if errors.Is(err, context.Canceled) {
			return err
		}
		time.Sleep(time.Second)
	}
	return err
}

// A short throttle between attempts delays nobody.
func pingQuickly(ctx context.Context, db *store) error {
	var err error
	for i := 0; i < 3; i++ {
		if err = db.PingContext(ctx); err == nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return err
}

// Returning the failure at once is no retry.
func pingOnce(ctx context.Context, db *store) error {
	for i := 0; i < 3; i++ {
		if err := db.PingContext(ctx); err != nil {
			return err
		}
		time.Sleep(time.Second)
	}
	return nil
}

// A pause that watches the context.
func pingPatiently(ctx context.Context, db *store) error {
	var err error
	for i := 0; i < 30; i++ {
		if err = db.PingContext(ctx); err == nil {
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

type doer interface {
	Do(*http.Request) (*http.Response, error)
}

// The pause at the top of each later round (`if i > 0 { sleep }`) and a
// request remade from the previous one before each attempt: the same
// attempt again; the return on a failed clone is no exit a failed attempt
// can take (heimdall's Client.Do).
func sendWithRetries(client *http.Client, req *http.Request, retries int) (*http.Response, error) {
	var resp *http.Response
	var err error
	for i := 0; i <= retries; i++ {
		if i > 0 {
			time.Sleep(time.Second)
			req, err = cloneRequest(req)
			if err != nil {
				return nil, err
			}
		}
		resp, err = client.Do(req) // want `retrying after err, which may be a context cancellation \(from \(\*http.Client\).Do\), pausing between attempts without checking the context`
		if err != nil {
			log.Printf("attempt %d: %v", i, err)
			continue
		}
		break
	}
	return resp, err
}

func cloneRequest(req *http.Request) (*http.Request, error) {
	if req.GetBody == nil {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body = body
	return out, nil
}

// Each round sends the next request of a list: no retry.
func sendAll(client *http.Client, reqs []*http.Request) {
	for i := 0; i < len(reqs); i++ {
		if i > 0 {
			time.Sleep(time.Second)
		}
		if _, err := client.Do(reqs[i]); err != nil {
			log.Printf("request %d: %v", i, err)
			continue
		}
	}
}

// The fix: the pause watches the request's context.
func sendWithRetriesFixed(client *http.Client, req *http.Request, retries int) (*http.Response, error) {
	var resp *http.Response
	var err error
	for i := 0; i <= retries; i++ {
		if i > 0 {
			select {
			case <-req.Context().Done():
				return nil, req.Context().Err()
			case <-time.After(time.Second):
			}
			req, err = cloneRequest(req)
			if err != nil {
				return nil, err
			}
		}
		resp, err = client.Do(req)
		if err != nil {
			continue
		}
		break
	}
	return resp, err
}

// The same health probe rebuilt for each attempt (http.NewRequestWithContext
// from the same URL and context) is one attempt retried, and an error
// wrapping the request builder's failure is no exit a failed attempt can
// take (constellation's WaitForCilium).
func waitHealthy5s(ctx context.Context, client *http.Client) error {
	for {
		time.Sleep(5 * time.Second)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:9879/healthz", http.NoBody)
		if err != nil {
			return fmt.Errorf("unable to create request: %w", err)
		}
		resp, err := client.Do(req) // want `retrying after err, which may be a context cancellation \(from \(\*http.Client\).Do\), pausing between attempts without checking the context`
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
	}
}

// Not reported: the fixed form looks at the context each round.
func waitHealthy5sFixed(ctx context.Context, client *http.Client) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		time.Sleep(5 * time.Second)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:9879/healthz", http.NoBody)
		if err != nil {
			return fmt.Errorf("unable to create request: %w", err)
		}
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
	}
}

// Not reported: a request built from what changes each round is other
// work (the next URL), not a retry.
func probeAll(ctx context.Context, client *http.Client, urls []string) error {
	for _, u := range urls {
		time.Sleep(5 * time.Second)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, http.NoBody)
		if err != nil {
			return fmt.Errorf("unable to create request: %w", err)
		}
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
	}
	return nil
}

// stripe-go's Do after its fix: the retry judge of the package asks the
// request's context, so a cancellation stops the loop.
type backend struct{ hc *http.Client }

func (b *backend) shouldRetry(err error, req *http.Request, attempt int) bool {
	if req.Context().Err() != nil {
		return false
	}
	return err != nil && attempt < 3
}

func (b *backend) do(req *http.Request) error {
	var err error
	for retry := 0; ; retry++ {
		var resp *http.Response
		resp, err = b.hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		if !b.shouldRetry(err, req, retry) {
			break
		}
		time.Sleep(time.Second)
	}
	return err
}
