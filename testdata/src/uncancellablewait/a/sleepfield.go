package a

import (
	"net/http"
	"time"
)

// A func field the package fills with time.Sleep, which an option may
// replace (tdarr-exporter's retrying transport): the sleep the code runs
// is time.Sleep's.

type retryTransport struct {
	inner   http.RoundTripper
	backoff []time.Duration
	sleep   func(time.Duration)
}

type retryOption func(*retryTransport)

func withSleep(fn func(time.Duration)) retryOption {
	return func(t *retryTransport) { t.sleep = fn }
}

func newRetryTransport(inner http.RoundTripper, opts ...retryOption) *retryTransport {
	t := &retryTransport{inner: inner, backoff: []time.Duration{time.Second, 3 * time.Second}, sleep: time.Sleep}
	for _, o := range opts {
		o(t)
	}
	return t
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.inner.RoundTrip(req)
	for _, d := range t.backoff {
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		t.sleep(d) // want `time.Sleep through the sleep field \(a computed duration\) ignores req.Context\(\)`
		resp, err = t.inner.RoundTrip(req)
	}
	return resp, err
}

// Negative: the field is also filled with another function of the
// package, which may well watch the context.
type pacedTransport struct {
	inner http.RoundTripper
	pause func(time.Duration)
}

func newPacedTransport(inner http.RoundTripper, quick bool) *pacedTransport {
	t := &pacedTransport{inner: inner, pause: time.Sleep}
	if quick {
		t.pause = func(time.Duration) {}
	}
	return t
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.pause(time.Second)
	return t.inner.RoundTrip(req)
}
