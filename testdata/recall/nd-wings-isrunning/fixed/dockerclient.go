// Recall case nd-wings-isrunning
// Source: github.com/pterodactyl/wings commit ee91224eb68b9e9775cf7ea1fe3e18a879184cf3 (environment/docker/environment.go)
// Link: https://github.com/pterodactyl/wings/commit/ee91224eb68b9e9775cf7ea1fe3e18a879184cf3
// Bug: During boot, every server's Environment.IsRunning() and Attach() call the Docker API (ContainerInspect/ContainerAttach) with context.Background(), so a hung Docker daemon blocks the Wings boot forever.
// Fix: rootCmdRun creates context.WithTimeout(cmd.Context(), 30s) per server and IsRunning/Attach take that ctx and pass it to the Docker calls.
// Rule: nodeadline
package wings

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// dockerClient is a stand-in for github.com/docker/docker/client.Client: it
// talks to the Docker Engine HTTP API.
type dockerClient struct {
	host string
	hc   *http.Client
}

type containerJSON struct {
	State struct {
		Running bool `json:"Running"`
	} `json:"State"`
}

type hijackedResponse struct {
	Reader io.ReadCloser
}

func (h *hijackedResponse) Close() { h.Reader.Close() }

type errNotFound struct{ id string }

func (e errNotFound) Error() string { return "No such container: " + e.id }

// IsErrNotFound mirrors client.IsErrNotFound.
func IsErrNotFound(err error) bool { _, ok := err.(errNotFound); return ok }

func (c *dockerClient) ContainerInspect(ctx context.Context, id string) (containerJSON, error) {
	var out containerJSON
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.host+"/containers/"+id+"/json", nil)
	if err != nil {
		return out, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return out, errNotFound{id}
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("docker: unexpected status %d", resp.StatusCode)
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	return out, err
}

func (c *dockerClient) ContainerAttach(ctx context.Context, id string) (hijackedResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.host+"/containers/"+id+"/attach?stream=1&stdin=1&stdout=1&stderr=1", nil)
	if err != nil {
		return hijackedResponse{}, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return hijackedResponse{}, err
	}
	return hijackedResponse{Reader: resp.Body}, nil
}
