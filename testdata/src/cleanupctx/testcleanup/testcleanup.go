// Package testcleanup is test support (it imports testing outside its
// tests): the other checks leave it alone, but cleanups registered with
// t.Cleanup are judged, since a cancelled context makes them do nothing.
package testcleanup

import (
	"context"
	"net/http"
	"testing"
	"time"
)

type Client struct{ HTTP *http.Client }

func (c *Client) Delete(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *Client) Create(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// gateway-api's MustApplyWithCleanup: the loop's budget, cancelled when
// the function returns, is captured by the cleanup.
func MustApplyWithCleanup(t *testing.T, c *Client, urls []string) {
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := c.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := c.Delete(ctx, u); err != nil { // want `\(\*testcleanup.Client\).Delete runs in a function registered with t.Cleanup, which runs after the test has returned, and the context it captured is cancelled by then \(testcleanup.MustApplyWithCleanup defers its cancel\): the call fails at once; give it context.WithTimeout\(context.WithoutCancel\(ctx\), d\)`
				t.Errorf("delete: %v", err)
			}
		})
	}
}

// A WithCancel context cancelled by a defer is as dead as a budget: the
// cleanup runs after the function returned.
func WithCancelDeferred(t testing.TB, c *Client, u string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	vctx := context.WithValue(ctx, key{}, "v")
	t.Cleanup(func() {
		_ = c.Delete(vctx, u) // want `Delete runs in a function registered with testing.TB.Cleanup, .* \(testcleanup.WithCancelDeferred defers its cancel\): .*context.WithoutCancel\(vctx\)`
	})
}

type key struct{}

// The test's own context is cancelled just before its cleanups run.
func UsesTestContext(t *testing.T, c *Client, u string) {
	ctx := t.Context()
	if err := c.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Delete(ctx, u) // want `cancelled by then \(the test's Context is cancelled just before its cleanups run\)`
	})
}

// The fix upstream: a fresh budget inside the cleanup.
func FreshInCleanup(t *testing.T, c *Client, u string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_ = c.Create(ctx, u)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Delete(ctx, u)
	})
}

// The fixed twin as gateway-api wrote it: the captured variable is
// reassigned inside the cleanup before the call.
func ReassignedInCleanup(t *testing.T, c *Client, u string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_ = c.Create(ctx, u)
	t.Cleanup(func() {
		ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Delete(ctx, u)
	})
}

// Detached from the test's cancellation: fine.
func Detached(t *testing.T, c *Client, u string) {
	ctx := context.WithoutCancel(t.Context())
	t.Cleanup(func() {
		_ = c.Delete(ctx, u)
	})
}

// A context whose cancel is not deferred, nor the test's: not known
// cancelled when the cleanup runs (the cancel is the cleanup's own).
func CancelledByCleanup(t *testing.T, c *Client, u string) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		_ = c.Delete(ctx, u)
		cancel()
	})
}

// A literal called during the test, not registered: the context is live.
func CalledNow(t *testing.T, c *Client, u string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	del := func() { _ = c.Delete(ctx, u) }
	del()
}

// Other checks stay silent in test support: a wait with no deadline.
func NoDeadline(c *Client, u string) {
	_ = c.Delete(context.Background(), u)
}
