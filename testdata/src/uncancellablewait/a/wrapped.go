package a

import (
	"context"
	"net/http"
	"time"
)

// Request embeds an *http.Request (go-retryablehttp's): its Context() is
// the request's, in scope wherever the request is.
type Request struct {
	body []byte
	*http.Request
}

type retryClient struct {
	hc   *http.Client
	wait time.Duration
}

func (c *retryClient) Do(req *Request) (*http.Response, error) {
	for i := 0; ; i++ {
		resp, err := c.hc.Do(req.Request)
		if err == nil || i == 3 {
			return resp, err
		}
		time.Sleep(c.wait) // want `time.Sleep \(a computed duration\) ignores req.Context\(\)`
	}
}

type supplier struct {
	throttle time.Duration
	free     chan struct{}
}

// The context is watched only while throttling: with no throttle the loop
// goes round deaf to it (temporal's ReserveSlot).
func (s *supplier) reserve(ctx context.Context) error {
	for {
		if s.throttle > 0 {
			select {
			case <-time.After(s.throttle):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		select {
		case <-s.free:
			return nil
		default:
		}
		time.Sleep(10 * time.Millisecond) // want `time.Sleep \(in a loop that can go round without consulting a context\) ignores ctx`
	}
}

// Watched on every round: a short sleep is left alone.
func (s *supplier) reserveWatched(ctx context.Context) error {
	for {
		select {
		case <-s.free:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func dialSocket(ctx context.Context, path string) error { return ctx.Err() }

// The loop checks the context every round, but not during a 250 ms pause
// (tailscale's ConnectContext before its fix).
func connect(ctx context.Context, path string) error {
	for {
		err := dialSocket(ctx, path)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(250 * time.Millisecond) // want `time.Sleep \(a 250ms pause in a loop\) ignores ctx`
	}
}
