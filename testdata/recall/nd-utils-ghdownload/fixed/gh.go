// Recall case nd-utils-ghdownload
// Source: github.com/projectdiscovery/utils commit 1386d8f666b9e9dfb2aede761629c3741118917c (update/gh.go)
// Link: https://github.com/projectdiscovery/utils/commit/1386d8f666b9e9dfb2aede761629c3741118917c
// Bug: DownloadAssetFromID downloads the release asset with http.Get, i.e. http.DefaultClient with no timeout and no context, so a stalled download server hangs the update forever.
// Fix: the downloader keeps its own *http.Client with Timeout: DownloadUpdateTimeout and uses d.httpClient.Get for the asset download.
// Rule: nodeadline
package updateutils

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

var (
	Organization          = "projectdiscovery"
	VersionCheckTimeout   = time.Duration(5) * time.Second
	DownloadUpdateTimeout = time.Duration(30) * time.Second
	DefaultHttpClient     *http.Client
)

func init() {
	DefaultHttpClient = &http.Client{
		Timeout: VersionCheckTimeout,
		Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment,
		},
	}
}

// githubClient is a small stand-in for go-github's Repositories service.
type githubClient struct {
	http    *http.Client
	baseURL string
}

func newGithubClient(c *http.Client) *githubClient {
	return &githubClient{http: c, baseURL: "https://api.github.com"}
}

// DownloadReleaseAsset asks the API for the asset; GitHub answers with a redirect
// to the storage URL, which is returned to the caller (go-github behaviour with a nil
// follow-redirects client).
func (g *githubClient) DownloadReleaseAsset(ctx context.Context, owner, repo string, id int64) (io.ReadCloser, string, error) {
	u := fmt.Sprintf("%s/repos/%s/%s/releases/assets/%d", g.baseURL, owner, repo, id)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/octet-stream")
	c := *g.http
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		resp.Body.Close()
		return nil, loc, nil
	}
	return resp.Body, "", nil
}

// GHReleaseDownloader fetches and reads release of a gh repo
type GHReleaseDownloader struct {
	ToolName string
	AssetID  int

	client     *githubClient
	httpClient *http.Client
}

// NewghReleaseDownloader instance
func NewghReleaseDownloader(toolName string) *GHReleaseDownloader {
	httpClient := &http.Client{
		Timeout:   DownloadUpdateTimeout,
		Transport: &http.Transport{},
	}
	return &GHReleaseDownloader{client: newGithubClient(httpClient), ToolName: toolName, httpClient: httpClient}
}

// DownloadAssetFromID downloads and returns a buffer or a descriptive error
func (d *GHReleaseDownloader) DownloadAssetFromID() (*bytes.Buffer, error) {
	_, rdurl, err := d.client.DownloadReleaseAsset(context.Background(), Organization, d.ToolName, int64(d.AssetID))
	if err != nil {
		return nil, err
	}

	resp, err := d.httpClient.Get(rdurl)
	if err != nil {
		return nil, fmt.Errorf("failed to download release asset: %w", err)
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("something went wrong got %v while downloading asset, expected status 200", resp.StatusCode)
	}
	if resp.Body == nil {
		return nil, errors.New("something went wrong got response without body")
	}
	defer resp.Body.Close()

	bin, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("failed to read response body: %w", err)
	}
	return bytes.NewBuffer(bin), nil
}

// GetExecutableFromAsset downloads and only returns tool Binary
func (d *GHReleaseDownloader) GetExecutableFromAsset() ([]byte, error) {
	buff, err := d.DownloadAssetFromID()
	if err != nil {
		return nil, err
	}
	return buff.Bytes(), nil
}
