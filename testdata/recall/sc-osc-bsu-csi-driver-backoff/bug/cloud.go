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

type BackoffPolicy func(ctx context.Context, resp *http.Response, err error) (bool, error)

// NoRetryOnErrors is the default backoff policy: retry only on RetryOnHTTPCodes http statuses.
// No retry on errors.
func NoRetryOnErrors(ctx context.Context, resp *http.Response, err error) (bool, error) {
	switch {
	case resp != nil && slices.Contains(RetryOnHTTPCodes, resp.StatusCode):
		log.Printf("Retrying...")
		return false, nil
	case err != nil:
		return false, err
	default:
		return true, nil
	}
}

// RetryOnErrors is an alternate policy that retries on all errors.
func RetryOnErrors(ctx context.Context, resp *http.Response, err error) (bool, error) {
	switch {
	case resp != nil && slices.Contains(RetryOnHTTPCodes, resp.StatusCode):
		log.Printf("Retrying...")
		return false, nil
	case err != nil:
		log.Printf("Retrying... %v", err)
		return false, nil
	default:
		return true, nil
	}
}

// DefaultBackoffPolicy is the default BackoffPolicy (NoRetryOnErrors)
var DefaultBackoffPolicy = NoRetryOnErrors

type cloud struct {
	region  string
	client  OscInterface
	backoff BackoffPolicy
}

type CloudOption func(*cloud) error

// WithBackoffPolicy is a CloudOption that replaces the default backoff policy (DefaultBackoffPolicy).
func WithBackoffPolicy(p BackoffPolicy) CloudOption {
	return func(c *cloud) error {
		c.backoff = p
		return nil
	}
}

func NewCloud(region, endpoint string, opts ...CloudOption) (*cloud, error) {
	c := &cloud{
		region:  region,
		client:  &oscClient{endpoint: endpoint, http: &http.Client{}},
		backoff: DefaultBackoffPolicy,
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *cloud) DeleteDisk(ctx context.Context, volumeID string) (bool, error) {
	request := DeleteVolumeRequest{
		VolumeId: volumeID,
	}

	deleteVolumeCallBack := func() (bool, error) {
		response, httpRes, err := c.client.DeleteVolume(ctx, request)
		logAPICall(ctx, "DeleteVolume", request, response, httpRes, err)
		return c.backoff(ctx, httpRes, err)
	}

	backoff := EnvBackoff()
	err := ExponentialBackoff(backoff, deleteVolumeCallBack)
	switch {
	case isVolumeNotFoundError(err):
		return false, ErrNotFound
	case err != nil:
		return false, fmt.Errorf("unable to delete disk: %w", err)
	default:
		return true, nil
	}
}
