// Package requests: roots made where a caller's context is in scope that
// reach, through a helper that takes the request, a wait that may have a
// bound of its own (a client configured elsewhere, or with a Timeout from
// configuration).
package requests

import (
	"context"
	"net"
	"net/http"
	"time"
)

var timed = &http.Client{Timeout: 10 * time.Second}

// A client with a constant Timeout bounds the request: the bound its
// author chose (the usual fix of a hang) is left alone.
func direct(ctx context.Context, url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := timed.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// A Timeout from configuration may be zero (none): the helper's wait may be
// bounded, and ctx is dropped on the way (caddy's HTTPLoader).
func configured(ctx context.Context, timeout time.Duration, url string) error {
	client := &http.Client{Timeout: timeout}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := send(client, req) // want `http.NewRequest binds the request to context.Background\(\), which drops ctx's deadline and cancellation: requests.send reaches \(\*http.Client\).Do`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// send sends the request it is handed: its context is the caller's.
func send(c *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 500 {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

func viaHelper(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := send(c, req) // want `http.NewRequest binds the request to context.Background\(\), which drops ctx's deadline and cancellation: requests.send reaches \(\*http.Client\).Do`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func rootViaHelper(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := send(c, req) // want `context.Background\(\) drops ctx's deadline and cancellation: requests.send reaches \(\*http.Client\).Do`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// A retry loop sends the same request several times: one root, one report.
func retried(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	for range 3 {
		resp, err := send(c, req) // want `http.NewRequest binds the request`
		if err == nil {
			return resp.Body.Close()
		}
	}
	return err
}

// Context is a framework's context: a struct that embeds a
// context.Context (caddy.Context), so it is the caller's context.
type Context struct {
	context.Context
	name string
}

func framework(ctx Context, c *http.Client, url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := send(c, req) // want `which drops ctx's deadline and cancellation`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Sent directly on a client configured elsewhere: nodeadline cannot call
// the wait unbounded, but r.Context() is dropped (go-kit's client before
// ctxhttp).
func proxy(c *http.Client) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequest(http.MethodGet, "http://backend/", nil)
		c.Do(req) // want `http.NewRequest binds the request to context.Background\(\), which drops r.Context\(\)'s deadline and cancellation: \(\*http.Client\).Do waits under it`
	}
}

// A DNS lookup given a root where ctx is in scope: the resolver bounds the
// lookup, ctx is dropped.
func lookup(ctx context.Context, host string) {
	net.DefaultResolver.LookupHost(context.TODO(), host) // want `context.TODO\(\) drops ctx's deadline and cancellation: \(\*net.Resolver\).LookupHost waits under it`
}

// Negatives.

// The request carries ctx.
func threaded(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := send(c, req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// A nil context defaulted to Background is the caller's otherwise.
func nilDefault(ctx context.Context, c *http.Client, url string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := send(c, req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// No caller's context in scope: nothing to thread (and the client's
// Timeout bounds the wait).
func noContext(url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := timed.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Work started in a goroutine that nobody waits for is detached on purpose.
func background(ctx context.Context, url string) {
	go func() {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return
		}
		if resp, err := timed.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
}

// A type with a context's methods but no embedded context (gin.Context,
// whose Done is nil) is no caller's context.
type ginLike struct{ keys map[string]any }

func (ginLike) Deadline() (time.Time, bool) { return time.Time{}, false }
func (ginLike) Done() <-chan struct{}       { return nil }
func (ginLike) Err() error                  { return nil }
func (g ginLike) Value(k any) any           { return g.keys[k.(string)] }

func handler(c *ginLike, url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := timed.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
