package patterns

import (
	"context"
	"net/http"
)

// A pacer retries while the function says so (rclone's pacer.Call: the
// function returns (retry bool, err error)).
type pacer struct{ retries int }

func (p *pacer) call(fn func() (bool, error)) (err error) {
	var retry bool
	for i := 1; i <= p.retries; i++ {
		retry, err = fn()
		if !retry {
			break
		}
	}
	return err
}

// contextError reports whether ctx is done, putting its error in *perr
// (rclone's fserrors.ContextError).
func contextError(ctx context.Context, perr *error) bool {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if *perr == nil {
			*perr = ctxErr
		}
		return true
	}
	return false
}

// shouldRetry retries any failure once the context is known live.
func shouldRetry(ctx context.Context, err error) (bool, error) {
	if err == nil {
		return false, nil
	}
	if contextError(ctx, &err) {
		return false, err
	}
	return true, err
}

func upload(ctx context.Context, p *pacer, c *http.Client, req *http.Request) error {
	return p.call(func() (bool, error) {
		resp, err := c.Do(req.WithContext(ctx))
		if err != nil {
			return err != nil, err // want `\(\*patterns.pacer\).call retries this error, which may be a context cancellation`
		}
		return false, resp.Body.Close()
	})
}

// Fixed: the context's state is tested before asking for a retry.
func uploadFixed(ctx context.Context, p *pacer, c *http.Client, req *http.Request) error {
	return p.call(func() (bool, error) {
		resp, err := c.Do(req.WithContext(ctx))
		if contextError(ctx, &err) {
			return false, err
		}
		if err != nil {
			return true, err
		}
		return false, resp.Body.Close()
	})
}

func uploadShouldRetry(ctx context.Context, p *pacer, c *http.Client, req *http.Request) error {
	return p.call(func() (bool, error) {
		resp, err := c.Do(req.WithContext(ctx))
		if retry, err := shouldRetry(ctx, err); !retry {
			if err != nil {
				return false, err
			}
			return false, resp.Body.Close()
		}
		return err != nil, err
	})
}

func uploadErrCheck(ctx context.Context, p *pacer, c *http.Client, req *http.Request) error {
	return p.call(func() (bool, error) {
		resp, err := c.Do(req.WithContext(ctx))
		if err != nil && ctx.Err() == nil {
			return true, err
		}
		if err != nil {
			return false, err
		}
		return false, resp.Body.Close()
	})
}

// A failure the function declines to retry is no retry.
func uploadOnce(ctx context.Context, p *pacer, c *http.Client, req *http.Request) error {
	return p.call(func() (bool, error) {
		resp, err := c.Do(req.WithContext(ctx))
		if err != nil {
			return false, err
		}
		return false, resp.Body.Close()
	})
}
