// Recall case sc-osc-bsu-csi-driver-backoff
// Source: github.com/outscale/osc-bsu-csi-driver commit a33032c835ed86db3a1bf74a02b8ae534d17ded2 (pkg/cloud/backoff.go, pkg/cloud/cloud.go)
// Link: https://github.com/outscale/osc-bsu-csi-driver/commit/a33032c835ed86db3a1bf74a02b8ae534d17ded2
// Bug: DeleteDisk retries the OAPI call with the context-unaware wait.ExponentialBackoff; with the RetryOnErrors policy any error, including context.Canceled/DeadlineExceeded from the cancelled request ctx, is turned into "retry" (false, nil), so the loop keeps sleeping and re-calling until the steps run out and the context error is lost.
// Fix: the backoff policy runs the loop with wait.ExponentialBackoffWithContext(ctx, ...), which stops and returns ctx.Err() once the caller's context is done.
// Rule: swallowcancel
package cloud

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"slices"
)

// RetryOnHTTPCodes defines the list of HTTP codes for which we backoff.
var RetryOnHTTPCodes = []int{429, 500, 502, 503, 504}

type BackoffOpt func(*BackoffPolicy)

func RetryOnErrors() BackoffOpt {
	return func(bp *BackoffPolicy) {
		bp.retryOnErrors = true
	}
}

type BackoffPolicyer interface {
	ExponentialBackoff(ctx context.Context, fn func(ctx context.Context) (bool, error)) error
	OAPIResponseBackoff(ctx context.Context, resp *http.Response, err error) (bool, error)
}

type BackoffPolicy struct {
	retryOnErrors bool
	backoff       Backoff
}

func NewBackoffPolicy(opts ...BackoffOpt) *BackoffPolicy {
	bp := &BackoffPolicy{
		backoff: EnvBackoff(),
	}
	for _, opt := range opts {
		opt(bp)
	}
	return bp
}

// ExponentialBackoff repeats a condition check with exponential backoff.
// It stops if context is cancelled.
func (bp *BackoffPolicy) ExponentialBackoff(ctx context.Context, fn func(ctx context.Context) (bool, error)) error {
	// bp.backoff is not a pointer, a copy is used each time, ensuring that backoff restarts at 0 each time.
	return ExponentialBackoffWithContext(ctx, bp.backoff, fn)
}

// OAPIResponseBackoff decides if an OAPI response requires a backoff. It retries only on RetryOnHTTPCodes http statuses.
// It retries on errors only if retryOnErrors is set.
func (bp *BackoffPolicy) OAPIResponseBackoff(ctx context.Context, resp *http.Response, err error) (bool, error) {
	switch {
	case resp != nil && slices.Contains(RetryOnHTTPCodes, resp.StatusCode):
		log.Printf("Retrying...")
		return false, nil
	case err != nil && bp.retryOnErrors:
		log.Printf("Retrying... %v", err)
		return false, nil
	case err != nil:
		return false, err
	default:
		return true, nil
	}
}

var _ BackoffPolicyer = (*BackoffPolicy)(nil)

type cloud struct {
	region  string
	client  OscInterface
	backoff BackoffPolicyer
}

type CloudOption func(*cloud) error

// WithBackoffPolicy is a CloudOption that replaces the default backoff policy.
func WithBackoffPolicy(p BackoffPolicyer) CloudOption {
	return func(c *cloud) error {
		c.backoff = p
		return nil
	}
}

func NewCloud(region, endpoint string, opts ...CloudOption) (*cloud, error) {
	c := &cloud{
		region: region,
		client: &oscClient{endpoint: endpoint, http: &http.Client{}},
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.backoff == nil {
		c.backoff = NewBackoffPolicy()
	}
	return c, nil
}

func (c *cloud) DeleteDisk(ctx context.Context, volumeID string) (bool, error) {
	request := DeleteVolumeRequest{
		VolumeId: volumeID,
	}

	deleteVolumeCallBack := func(ctx context.Context) (bool, error) {
		response, httpRes, err := c.client.DeleteVolume(ctx, request)
		logAPICall(ctx, "DeleteVolume", request, response, httpRes, err)
		return c.backoff.OAPIResponseBackoff(ctx, httpRes, err)
	}

	err := c.backoff.ExponentialBackoff(ctx, deleteVolumeCallBack)
	switch {
	case isVolumeNotFoundError(err):
		return false, ErrNotFound
	case err != nil:
		return false, fmt.Errorf("unable to delete disk: %w", err)
	default:
		return true, nil
	}
}
