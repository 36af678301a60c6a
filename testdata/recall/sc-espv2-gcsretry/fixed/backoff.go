// Recall case sc-espv2-gcsretry
// Source: github.com/GoogleCloudPlatform/esp-v2 commit 60b31a98521e279cd731379d62f0dc918f34bb08 (src/go/gcsrunner/fetch_config.go)
// Link: https://github.com/GoogleCloudPlatform/esp-v2/commit/60b31a98521e279cd731379d62f0dc918f34bb08
// Bug: The retried op only stops on `err == context.DeadlineExceeded`, but the storage reader wraps the context error, so once the overall timeout expires every attempt fails with a wrapped deadline error and the backoff keeps retrying it as an ordinary error.
// Fix: Check ctx.Err() at the top of the retried op and end the backoff with the context error instead of comparing the returned error.
// Rule: swallowcancel
package gcsrunner

import "time"

// Minimal stand-in for github.com/cenkalti/backoff (Retry + ExponentialBackOff,
// default MaxElapsedTime 15 minutes, not context aware).
type exponentialBackOff struct {
	InitialInterval time.Duration
	MaxInterval     time.Duration
	MaxElapsedTime  time.Duration
	current         time.Duration
	start           time.Time
}

func newExponentialBackOff() *exponentialBackOff {
	return &exponentialBackOff{
		InitialInterval: 500 * time.Millisecond,
		MaxInterval:     60 * time.Second,
		MaxElapsedTime:  15 * time.Minute,
	}
}

const stop time.Duration = -1

func (b *exponentialBackOff) reset() {
	b.current = b.InitialInterval
	b.start = time.Now()
}

func (b *exponentialBackOff) nextBackOff() time.Duration {
	if b.MaxElapsedTime != 0 && time.Since(b.start) > b.MaxElapsedTime {
		return stop
	}
	d := b.current
	b.current = b.current * 3 / 2
	if b.current > b.MaxInterval {
		b.current = b.MaxInterval
	}
	return d
}

// retry runs op until it returns nil or the backoff stops.
func retry(op func() error, b *exponentialBackOff) error {
	b.reset()
	for {
		err := op()
		if err == nil {
			return nil
		}
		next := b.nextBackOff()
		if next == stop {
			return err
		}
		time.Sleep(next)
	}
}
