// Package worker holds the background side of the shop: lookups with a
// timeout, polling, and the HTTP server's lifetime.
package worker

import (
	"context"
	"net/http"
	"time"
)

// Fetch waits for a slow lookup, but only until ctx is done.
func Fetch(ctx context.Context, lookup func() string) (string, error) {
	ch := make(chan string)
	go func() { ch <- lookup() }()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Poll waits until ready() holds.
func Poll(ctx context.Context, ready func() bool) error {
	for !ready() {
		time.Sleep(time.Second)
	}
	return nil
}

// Serve runs srv until ctx is done, then shuts it down.
func Serve(ctx context.Context, srv *http.Server) error {
	go srv.ListenAndServe()
	<-ctx.Done()
	return srv.Shutdown(ctx)
}
