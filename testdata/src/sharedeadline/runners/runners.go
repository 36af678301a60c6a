// Package runners: function literals handed to a runner together with the
// caller's context run that context's work (tempo's ring.DoBatch callback
// before its fix); handed without it, or to context.AfterFunc, they are
// detached.
package runners

import (
	"context"
	"net/http"
	"sync"
	"time"
)

type orgKey struct{}

// injectOrgID decorates a context with a value (tempo's user.InjectOrgID).
func injectOrgID(ctx context.Context, org string) context.Context {
	return context.WithValue(ctx, orgKey{}, org)
}

func push(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// doBatch runs callback for each key in goroutines and waits for them.
func doBatch(ctx context.Context, keys []string, callback func(key string) error) error {
	errs := make(chan error, len(keys))
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- callback(k)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

func send(ctx context.Context, c *http.Client, keys []string, timeout time.Duration) error {
	return doBatch(ctx, keys, func(key string) error {
		local, cancel := context.WithTimeout(context.Background(), timeout) // want `context.WithTimeout\(context.Background\(\), …\) starts a fresh timeout budget that ignores ctx's deadline and cancellation`
		defer cancel()
		local = injectOrgID(local, "org")
		return push(local, c, key)
	})
}

// Negatives.

// The fix: derived from the caller's context.
func sendFixed(ctx context.Context, c *http.Client, keys []string, timeout time.Duration) error {
	return doBatch(ctx, keys, func(key string) error {
		local, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return push(injectOrgID(local, "org"), c, key)
	})
}

// A runner given no context: the work may outlive the call.
func register(hooks *[]func() error, f func() error) { *hooks = append(*hooks, f) }

func onShutdown(ctx context.Context, c *http.Client, hooks *[]func() error, timeout time.Duration) {
	register(hooks, func() error {
		local, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return push(local, c, "http://flush")
	})
}

// context.AfterFunc runs its function once the context is done.
func afterDone(ctx context.Context, c *http.Client, timeout time.Duration) {
	context.AfterFunc(ctx, func() {
		local, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		_ = push(local, c, "http://bye")
	})
}
