// Recall case cc-openbao-cleanup
// Source: github.com/openbao/openbao commit dd877dbe94aedbf7e547be25dcd009097ce010e4 (sdk/helper/docker/testhelpers.go)
// Link: https://github.com/openbao/openbao/commit/dd877dbe94aedbf7e547be25dcd009097ce010e4
// Bug: The container cleanup closure of StartNewService calls DockerAPI.ContainerRemove with the creation ctx; it runs after backoff.Retry failed because that ctx timed out/was cancelled (or later via Service.Cleanup), so the remove request fails immediately and containers are leaked.
// Fix: Each removal attempt uses its own context.WithTimeout(context.Background(), 10*time.Second) instead of the (possibly cancelled) creation ctx.
// Rule: cleanupctx
package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"time"
)

// Client is a stand-in for github.com/moby/moby/client.Client (Docker Engine HTTP API).
type Client struct {
	host string
	hc   *http.Client
}

type ContainerRemoveOptions struct{ Force bool }

type InspectResponse struct {
	ID    string `json:"Id"`
	State struct {
		Running bool `json:"Running"`
	} `json:"State"`
}

var errNotFound = errors.New("no such container")

// IsNotFound mirrors errdefs.IsNotFound.
func IsNotFound(err error) bool { return errors.Is(err, errNotFound) }

func (c *Client) do(ctx context.Context, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.host+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return errNotFound
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("docker: %s %s: status %d", method, path, resp.StatusCode)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

func (c *Client) ContainerRemove(ctx context.Context, id string, opts ContainerRemoveOptions) (struct{}, error) {
	return struct{}{}, c.do(ctx, http.MethodDelete, fmt.Sprintf("/containers/%s?force=%t", id, opts.Force), nil)
}

func (c *Client) ContainerInspect(ctx context.Context, id string) (InspectResponse, error) {
	var out InspectResponse
	err := c.do(ctx, http.MethodGet, "/containers/"+id+"/json", &out)
	return out, err
}

func (c *Client) ContainerCreateAndStart(ctx context.Context, name string) (InspectResponse, error) {
	var out InspectResponse
	if err := c.do(ctx, http.MethodPost, "/containers/create?name="+name, &out); err != nil {
		return out, err
	}
	err := c.do(ctx, http.MethodPost, "/containers/"+out.ID+"/start", nil)
	return out, err
}

// permanentError and retry are stand-ins for github.com/cenkalti/backoff/v5.
type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

func Permanent(err error) error { return &permanentError{err} }

func Retry[T any](ctx context.Context, op func() (T, error), maxInterval, maxElapsed time.Duration) (T, error) {
	var zero T
	start := time.Now()
	interval := 500 * time.Millisecond
	for {
		res, err := op()
		if err == nil {
			return res, nil
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			return zero, perm.err
		}
		if time.Since(start) > maxElapsed {
			return zero, err
		}
		interval = min(time.Duration(float64(interval)*(1.5+rand.Float64()/2)), maxInterval)
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return zero, errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
}
