package patterns

import (
	"context"
	"net/http"
	"time"
)

// The bool says whether the work was accepted, and is false only where ctx
// is done (pulumi's retry.Until): the stop is told by the flag.
func untilAccepted(ctx context.Context, accept func() (bool, *http.Response, error)) (bool, *http.Response, error) {
	for {
		ok, res, err := accept()
		if ok || err != nil {
			return ok, res, err
		}
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return false, nil, nil
		}
	}
}

// The same false also means "not there" on another path: the caller
// cannot tell the cancellation from an absent answer.
func lookupOnce(ctx context.Context, c *http.Client, url string) (*http.Response, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, false, err
	}
	if ctx.Err() != nil {
		return nil, false, nil // want `returning nil when ctx is done tells the caller the work finished when it was abandoned: return ctx.Err\(\)`
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, false, err
	}
	if res.StatusCode == http.StatusNotFound {
		return nil, false, nil
	}
	return res, true, nil
}
