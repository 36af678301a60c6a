// Recall case nd-rclone-dockerrestore
// Source: github.com/rclone/rclone commit 64331a4eaef1f60a9173a7101d9ae2116709a8e8 (cmd/serve/docker/driver.go)
// Link: https://github.com/rclone/rclone/commit/64331a4eaef1f60a9173a7101d9ae2116709a8e8
// Bug: `rclone serve docker` builds ctx := context.Background() and NewDriver -> Driver.restoreState -> Volume.restoreState -> Volume.setup -> fs.NewFs runs each saved volume's remote setup with no deadline, so a slow or unreachable remote blocks plugin startup forever.
// Fix: Driver.restoreState wraps each vol.restoreState call in context.WithTimeout(ctx, volTimeout) (30s) and skips volumes that fail.
// Rule: nodeadline
package docker

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// remoteFs stands in for an rclone backend created by fs.NewFs (e.g. the
// http/webdav backend), which contacts the remote while being constructed.
type remoteFs struct {
	root   string
	client *http.Client
}

// newFs stands in for fs.NewFs: it builds the backend with an
// fshttp.NewClient-style client and reads the remote root using ctx.
func newFs(ctx context.Context, fsString string) (*remoteFs, error) {
	f := &remoteFs{root: fsString, client: newClient()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fsString, nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("failed to read root %q: %s", fsString, resp.Status)
	}
	return f, nil
}

// newClient mirrors fs/fshttp.NewClient: transport-level timeouts
// (--contimeout, --timeout) but no overall http.Client.Timeout, so the
// request is bounded only by its context.
func newClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSHandshakeTimeout = time.Minute
	t.ResponseHeaderTimeout = 5 * time.Minute
	return &http.Client{Transport: t}
}
