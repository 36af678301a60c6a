// Recall case sd-trivy-podman
// Source: github.com/aquasecurity/trivy commit 2690ac99341dcdf06eb16316d3ca20e6070969b3 (pkg/fanal/image/daemon.go, pkg/fanal/image/daemon/podman.go)
// Link: https://github.com/aquasecurity/trivy/commit/2690ac99341dcdf06eb16316d3ca20e6070969b3
// Bug: tryPodmanDaemon drops the scan ctx (carrying --timeout) and PodmanImage talks to the Podman socket with p.c.Get (no ctx, client without Timeout) and imageOpener(context.Background(), ...), so inspect/history/save ignore the caller deadline.
// Fix: ctx is threaded through tryPodmanDaemon -> PodmanImage -> imageInspect/imageHistoryInspect/imageSave (new p.get builds http.NewRequestWithContext) and imageOpener(ctx, ...).
// Rule: sharedeadline
package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
)

var (
	inspectURL = "http://podman/images/%s/json"
	historyURL = "http://podman/images/%s/history"
	saveURL    = "http://podman/images/%s/get"
)

// ImageInspect is a reduced api.ImageInspect.
type ImageInspect struct {
	ID string `json:"Id"`
}

// HistoryResponseItem is a reduced dimage.HistoryResponseItem.
type HistoryResponseItem struct {
	ID        string `json:"Id"`
	CreatedBy string `json:"CreatedBy"`
}

type podmanClient struct {
	c http.Client
}

func newPodmanClient(host string) (podmanClient, error) {
	// Get Podman socket location
	sockDir := os.Getenv("XDG_RUNTIME_DIR")
	socket := filepath.Join(sockDir, "podman", "podman.sock")
	if host != "" {
		socket = host
	}

	if _, err := os.Stat(socket); err != nil {
		return podmanClient{}, fmt.Errorf("no podman socket found: %w", err)
	}

	return podmanClient{
		c: http.Client{
			Transport: &http.Transport{
				DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
					var d net.Dialer
					return d.DialContext(ctx, "unix", socket)
				},
			},
		},
	}, nil
}

type errResponse struct {
	Message string
}

func (p podmanClient) imageInspect(ctx context.Context, imageName string) (ImageInspect, error) {
	url := fmt.Sprintf(inspectURL, imageName)
	resp, err := p.get(ctx, url)
	if err != nil {
		return ImageInspect{}, fmt.Errorf("http error: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		var res errResponse
		if err = json.NewDecoder(resp.Body).Decode(&res); err != nil {
			return ImageInspect{}, fmt.Errorf("unknown status code from Podman: %d", resp.StatusCode)
		}
		return ImageInspect{}, errors.New(res.Message)
	}

	var inspect ImageInspect
	if err = json.NewDecoder(resp.Body).Decode(&inspect); err != nil {
		return ImageInspect{}, fmt.Errorf("unable to decode JSON: %w", err)
	}
	return inspect, nil
}

func (p podmanClient) imageHistoryInspect(ctx context.Context, imageName string) ([]HistoryResponseItem, error) {
	url := fmt.Sprintf(historyURL, imageName)
	resp, err := p.get(ctx, url)
	if err != nil {
		return []HistoryResponseItem{}, fmt.Errorf("http error: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		var res errResponse
		if err = json.NewDecoder(resp.Body).Decode(&res); err != nil {
			return []HistoryResponseItem{}, fmt.Errorf("unknown status code from Podman: %d", resp.StatusCode)
		}
		return []HistoryResponseItem{}, errors.New(res.Message)
	}

	var history []HistoryResponseItem
	if err = json.NewDecoder(resp.Body).Decode(&history); err != nil {
		return []HistoryResponseItem{}, fmt.Errorf("unable to decode JSON: %w", err)
	}
	return history, nil
}

func (p podmanClient) imageSave(ctx context.Context, imageNames []string) (io.ReadCloser, error) {
	if len(imageNames) < 1 {
		return nil, errors.New("no specified image")
	}
	url := fmt.Sprintf(saveURL, imageNames[0])
	resp, err := p.get(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("http error: %w", err)
	}
	return resp.Body, nil
}

func (p podmanClient) get(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		return nil, err
	}

	return p.c.Do(req)
}

// PodmanImage implements Image by extending daemon.Image.
// The caller must call cleanup() to remove a temporary file.
func PodmanImage(ctx context.Context, ref, host string) (Image, func(), error) {
	cleanup := func() {}

	c, err := newPodmanClient(host)
	if err != nil {
		return nil, cleanup, fmt.Errorf("unable to initialize Podman client: %w", err)
	}
	inspect, err := c.imageInspect(ctx, ref)
	if err != nil {
		return nil, cleanup, fmt.Errorf("unable to inspect the image (%s): %w", ref, err)
	}

	history, err := c.imageHistoryInspect(ctx, ref)
	if err != nil {
		return nil, cleanup, fmt.Errorf("unable to inspect the image (%s): %w", ref, err)
	}

	f, err := os.CreateTemp("", "podman-export-")
	if err != nil {
		return nil, cleanup, fmt.Errorf("failed to create a temporary file: %w", err)
	}

	cleanup = func() {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}

	return &image{
		opener:  imageOpener(ctx, ref, f, c.imageSave),
		inspect: inspect,
		history: history,
	}, cleanup, nil
}
