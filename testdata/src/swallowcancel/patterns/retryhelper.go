package patterns

import (
	"context"
	"errors"
	"net/http"
	"time"

	"swallowcancel/patterns/retrying"
)

// retry is a helper that never looks at a context: a cancelled request
// fails at once, and is tried again until the attempts run out
// (axiom-go's client).
func retry(op func() error, maxElapsed time.Duration) error {
	start, next := time.Now(), 10*time.Millisecond
	for {
		err := op()
		if err == nil {
			return nil
		}
		var permanent *permanentError
		if errors.As(err, &permanent) {
			return permanent.err
		}
		if time.Since(start)+next > maxElapsed {
			return err
		}
		time.Sleep(next)
		next *= 2
	}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// retryQuietly hands its operation to retry: it retries it too.
func retryQuietly(op func() error) error { return retry(op, time.Second) }

func fetch(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	var resp *http.Response
	err = retry(func() error {
		if resp, err = c.Do(req); err != nil {
			return err // want `patterns.retry retries this error, which may be a context cancellation \(from \(\*http.Client\).Do\), and never looks at a context`
		}
		return nil
	}, 10*time.Second)
	return resp, err
}

func fetchQuietly(ctx context.Context, c *http.Client, req *http.Request) error {
	return retryQuietly(func() error {
		resp, err := c.Do(req.WithContext(ctx))
		if err != nil {
			return err // want `patterns.retryQuietly retries this error`
		}
		return resp.Body.Close()
	})
}

// A helper of another package, known by its fact.
func fetchElsewhere(ctx context.Context, c *http.Client, req *http.Request) error {
	return retrying.Do(func() error {
		resp, err := c.Do(req.WithContext(ctx))
		if err != nil {
			return err // want `retrying.Do retries this error`
		}
		return resp.Body.Close()
	}, 5)
}

// Fixed: a cancellation ends the retries.
func fetchPermanent(ctx context.Context, c *http.Client, req *http.Request) error {
	return retry(func() error {
		resp, err := c.Do(req.WithContext(ctx))
		switch {
		case errors.Is(err, context.Canceled):
			return &permanentError{err: err}
		case err != nil:
			return err
		}
		return resp.Body.Close()
	}, 10*time.Second)
}

// Each attempt gets its own timeout, derived from ctx: a timed-out attempt
// is the one to retry, but once ctx is cancelled every attempt fails with
// context.Canceled and is retried all the same.
func fetchPerAttempt(ctx context.Context, c *http.Client, url string) error {
	return retry(func() error {
		actx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(actx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := c.Do(req)
		if err != nil {
			return err // want `patterns.retry retries this error`
		}
		return resp.Body.Close()
	}, 10*time.Second)
}

// A helper that waits on the context between attempts stops by itself.
func retryCtx(ctx context.Context, op func() error) error {
	for {
		err := op()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func fetchCtx(ctx context.Context, c *http.Client, req *http.Request) error {
	return retryCtx(ctx, func() error {
		resp, err := c.Do(req.WithContext(ctx))
		if err != nil {
			return err
		}
		return resp.Body.Close()
	})
}

// A helper that asks the caller whether to go on decides nothing itself.
func retryIf(op func() error, retryable func(error) bool) error {
	for {
		err := op()
		if err == nil || !retryable(err) {
			return err
		}
		time.Sleep(time.Second)
	}
}

func fetchIf(ctx context.Context, c *http.Client, req *http.Request) error {
	return retryIf(func() error {
		resp, err := c.Do(req.WithContext(ctx))
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}, func(err error) bool { return !errors.Is(err, context.Canceled) })
}

// An operation whose error is no cancellation (no context reaches it).
func touch(c *http.Client, url string) error {
	return retry(func() error {
		resp, err := c.Get(url)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}, time.Second)
}

// retryOnTicker pauses on a Ticker alone (consul-terraform-sync's
// withRetry): a clock cannot tell it of a cancellation.
func retryOnTicker(fxn func() error, count int) error {
	interval := time.NewTicker(time.Second)
	defer interval.Stop()
	attempt := 0
	var last error
	for {
		select {
		case <-interval.C:
			attempt++
			if last = fxn(); last == nil {
				return nil
			}
		}
		if attempt >= count {
			return last
		}
	}
}

func applyOnTicker(ctx context.Context, c *http.Client, req *http.Request) error {
	return retryOnTicker(func() error {
		resp, err := c.Do(req.WithContext(ctx))
		if err != nil {
			return err // want `patterns.retryOnTicker retries this error`
		}
		return resp.Body.Close()
	}, 5)
}

// retryOnTickerOrStop also waits on a stop channel, which may end it.
func retryOnTickerOrStop(fxn func() error, stop <-chan struct{}) error {
	interval := time.NewTicker(time.Second)
	defer interval.Stop()
	for {
		select {
		case <-interval.C:
			if err := fxn(); err == nil {
				return nil
			}
		case <-stop:
			return errors.New("stopped")
		}
	}
}

func applyOnTickerOrStop(ctx context.Context, c *http.Client, req *http.Request, stop <-chan struct{}) error {
	return retryOnTickerOrStop(func() error {
		resp, err := c.Do(req.WithContext(ctx))
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}, stop)
}
