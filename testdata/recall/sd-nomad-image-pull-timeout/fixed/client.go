// Recall case sd-nomad-image-pull-timeout
// Source: github.com/hashicorp/nomad commit 62ef621582d5e9d6da544d9baaadfb39b502fc07 (drivers/docker/coordinator.go)
// Link: https://github.com/hashicorp/nomad/commit/62ef621582d5e9d6da544d9baaadfb39b502fc07
// Bug: dockerCoordinator.pullImageImpl builds its image_pull_timeout budget with context.WithTimeout(context.Background(), pullTimeout) but calls ImagePull with the driver ctx d.ctx, so the pull timeout and the inactivity cancel never reach the Docker API call
// Fix: derive pullCtx from d.ctx with the pull timeout and pass pullCtx to ImagePull (and let PullImage stop waiting on the future when d.ctx is done)
// Rule: sharedeadline
package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Client is a reduced github.com/docker/docker/client.Client: every API call
// is an HTTP request built with the caller's context and sent through the
// client's *http.Client (whose Timeout the Nomad driver sets to dockerTimeout).
type Client struct {
	host   string
	client *http.Client
}

// NewClient mirrors client.NewClientWithOpts(client.WithHost(host),
// client.WithHTTPClient(hc)).
func NewClient(host string, hc *http.Client) *Client {
	return &Client{host: host, client: hc}
}

// HTTPClient returns the underlying *http.Client, as the real client does.
func (c *Client) HTTPClient() *http.Client { return c.client }

type PullOptions struct {
	RegistryAuth string
}

type ImageConfig struct {
	User string
}

type ImageInspect struct {
	ID     string
	Config *ImageConfig
}

// ImagePull requests the docker host to pull an image from a remote registry.
// The returned body streams the JSON progress messages.
func (c *Client) ImagePull(ctx context.Context, refStr string, opts PullOptions) (io.ReadCloser, error) {
	q := url.Values{}
	q.Set("fromImage", refStr)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.host+"/images/create?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	if opts.RegistryAuth != "" {
		req.Header.Set("X-Registry-Auth", opts.RegistryAuth)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("image pull: unexpected status %d", resp.StatusCode)
	}
	return resp.Body, nil
}

// ImageInspectWithRaw returns the image information and its raw representation.
func (c *Client) ImageInspectWithRaw(ctx context.Context, imageID string) (ImageInspect, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.host+"/images/"+url.PathEscape(imageID)+"/json", nil)
	if err != nil {
		return ImageInspect{}, nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return ImageInspect{}, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return ImageInspect{}, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return ImageInspect{}, raw, fmt.Errorf("image inspect: unexpected status %d", resp.StatusCode)
	}
	var out ImageInspect
	if err := json.Unmarshal(raw, &out); err != nil {
		return ImageInspect{}, raw, err
	}
	return out, raw, nil
}
