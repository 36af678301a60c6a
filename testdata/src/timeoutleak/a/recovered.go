package a

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

type operation func(context.Context) (*http.Response, error)

// A goroutine whose deferred recover handler also sends its panic on the
// channel: the handler runs only on a panic, so the normal path still
// sends once per run (oci-go-sdk's Retry).
func retryRecovered(ctx context.Context, op operation) (*http.Response, error) {
	type result struct {
		resp *http.Response
		err  error
	}
	ch := make(chan result) // want `goroutine sends on this unbuffered channel, but the select stops waiting when ctx.Done\(\) fires`
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- result{nil, fmt.Errorf("panic: %v", r)}
			}
		}()
		for i := 0; i < 3; i++ {
			resp, err := op(ctx)
			if err == nil {
				ch <- result{resp, nil}
				return
			}
			<-time.After(time.Second)
		}
		ch <- result{nil, fmt.Errorf("gave up")}
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		return r.resp, r.err
	}
}

// Not reported: a deferred handler that sends whether or not there was a
// panic sends a second value after the normal path's.
func retryAlwaysDeferred(ctx context.Context, op operation) (*http.Response, error) {
	ch := make(chan error)
	go func() {
		defer func() {
			ch <- nil
		}()
		_, err := op(ctx)
		ch <- err
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case err := <-ch:
		return nil, err
	}
}
