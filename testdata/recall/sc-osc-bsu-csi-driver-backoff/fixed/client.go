// Recall case sc-osc-bsu-csi-driver-backoff
// Source: github.com/outscale/osc-bsu-csi-driver commit a33032c835ed86db3a1bf74a02b8ae534d17ded2 (pkg/cloud/backoff.go, pkg/cloud/cloud.go)
// Link: https://github.com/outscale/osc-bsu-csi-driver/commit/a33032c835ed86db3a1bf74a02b8ae534d17ded2
// Bug: DeleteDisk retries the OAPI call with the context-unaware wait.ExponentialBackoff; with the RetryOnErrors policy any error, including context.Canceled/DeadlineExceeded from the cancelled request ctx, is turned into "retry" (false, nil), so the loop keeps sleeping and re-calling until the steps run out and the context error is lost.
// Fix: the backoff policy runs the loop with wait.ExponentialBackoffWithContext(ctx, ...), which stops and returns ctx.Err() once the caller's context is done.
// Rule: swallowcancel
package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"
)

// DeleteVolumeRequest / DeleteVolumeResponse stand in for osc-sdk-go types.
type DeleteVolumeRequest struct {
	VolumeId string `json:"VolumeId"`
}

type DeleteVolumeResponse struct {
	RequestId string `json:"RequestId"`
}

// OscInterface is the subset of the Outscale API client used here.
type OscInterface interface {
	DeleteVolume(ctx context.Context, req DeleteVolumeRequest) (DeleteVolumeResponse, *http.Response, error)
}

// oscClient does the real HTTP call, honouring ctx.
type oscClient struct {
	endpoint string
	http     *http.Client
}

func (c *oscClient) DeleteVolume(ctx context.Context, req DeleteVolumeRequest) (DeleteVolumeResponse, *http.Response, error) {
	var out DeleteVolumeResponse
	body, err := json.Marshal(req)
	if err != nil {
		return out, nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/DeleteVolume", bytes.NewReader(body))
	if err != nil {
		return out, nil, err
	}
	res, err := c.http.Do(hreq)
	if err != nil {
		return out, nil, err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return out, res, fmt.Errorf("oapi error: %s", res.Status)
	}
	err = json.NewDecoder(res.Body).Decode(&out)
	return out, res, err
}

// ErrNotFound is returned when a resource is not found.
var ErrNotFound = errors.New("resource was not found")

func isVolumeNotFoundError(err error) bool {
	return err != nil && err.Error() == "oapi error: 404 Not Found"
}

func logAPICall(ctx context.Context, call string, request, response any, httpRes *http.Response, err error) {
	log.Printf("OAPI call %s: req=%+v resp=%+v err=%v", call, request, response, err)
}

func getEnv(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// EnvBackoff builds the backoff parameters from the environment (pkg/util).
func EnvBackoff() Backoff {
	duration, err := strconv.Atoi(getEnv("BACKOFF_DURATION", "1"))
	if err != nil {
		duration = 1
	}
	factor, err := strconv.ParseFloat(getEnv("BACKOFF_FACTOR", "2.0"), 32)
	if err != nil {
		factor = 1.8
	}
	steps, err := strconv.Atoi(getEnv("BACKOFF_STEPS", "20"))
	if err != nil {
		steps = 13
	}
	return Backoff{
		Duration: time.Duration(duration) * time.Second,
		Factor:   factor,
		Steps:    steps,
	}
}
