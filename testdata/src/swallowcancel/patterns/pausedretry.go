package patterns

import (
	"context"
	"database/sql"
	"errors"
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
