// Recall case nd-dolt-refresh-url
// Source: github.com/dolthub/dolt commit 74322d84cd22b589aee5bf5290592c7ec01b5d25 (go/libraries/doltcore/remotestorage/chunk_store.go)
// Link: https://github.com/dolthub/dolt/commit/74322d84cd22b589aee5bf5290592c7ec01b5d25
// Bug: locationRefresh.GetURL calls client.RefreshTableFileUrl (a gRPC unary call) with the long-lived fetch ctx, which has no deadline, while holding r.mu, so a stalled remote hangs the whole chunk download forever.
// Fix: GetURL wraps the RPC in context.WithTimeout(ctx, refreshTableFileURLTimeout) (15s) and cancels it afterwards.
// Rule: nodeadline
package remotestorage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"
)

// ---- minimal stand-in for the generated remotesapi gRPC client ----
// A gRPC ClientConn has no default per-call timeout: the only bound on a unary
// call is the deadline of the ctx passed to it. The stub keeps that property by
// sending the request with http.NewRequestWithContext on a client without Timeout.

type RefreshTableFileUrlRequest struct {
	RepoPath string `json:"repo_path"`
	FileId   string `json:"file_id"`
}

type RefreshTableFileUrlResponse struct {
	Url          string    `json:"url"`
	RefreshAfter time.Time `json:"refresh_after"`
}

type ChunkStoreServiceClient interface {
	RefreshTableFileUrl(ctx context.Context, in *RefreshTableFileUrlRequest) (*RefreshTableFileUrlResponse, error)
}

type chunkStoreServiceClient struct {
	endpoint string
	hc       *http.Client // like grpc.ClientConn: per-call deadline comes only from ctx
}

func NewChunkStoreServiceClient(endpoint string) ChunkStoreServiceClient {
	return &chunkStoreServiceClient{endpoint: endpoint, hc: &http.Client{}}
}

func (c *chunkStoreServiceClient) RefreshTableFileUrl(ctx context.Context, in *RefreshTableFileUrlRequest) (*RefreshTableFileUrlResponse, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/dolt.services.remotesapi.v1alpha1.ChunkStoreService/RefreshTableFileUrl", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := new(RefreshTableFileUrlResponse)
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return nil, err
	}
	return out, nil
}

// ---- remotestorage (reduced) ----

var HttpError = errors.New("http")

type locationRefresh struct {
	RefreshAfter   time.Time
	RefreshRequest *RefreshTableFileUrlRequest
	URL            string
	lastRefresh    time.Time
	mu             sync.Mutex
}

// TODO: These should be configurable in NetworkRequestParams or something.
var refreshTableFileURLRetryDuration = 5 * time.Second
var refreshTableFileURLTimeout = 15 * time.Second

func (r *locationRefresh) GetURL(ctx context.Context, lastError error, client ChunkStoreServiceClient) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.RefreshRequest != nil {
		now := time.Now()
		wantsRefresh := now.After(r.RefreshAfter) || errors.Is(lastError, HttpError)
		canRefresh := time.Since(r.lastRefresh) > refreshTableFileURLRetryDuration
		if wantsRefresh && canRefresh {
			ctx, cancel := context.WithTimeout(ctx, refreshTableFileURLTimeout)
			resp, err := client.RefreshTableFileUrl(ctx, r.RefreshRequest)
			cancel()
			if err != nil {
				return r.URL, err
			}
			r.RefreshAfter = resp.RefreshAfter
			r.URL = resp.Url
			r.lastRefresh = now
		}
	}
	return r.URL, nil
}

type resourcePathToUrlFunc func(ctx context.Context, lastError error, resourcePath string) (string, error)

type GetRange struct {
	Url  string
	Path string
}

func (gr *GetRange) ResourcePath() string { return gr.Path }

// GetDownloadFunc (reduced): builds the url factory used by the range download.
func (gr *GetRange) GetDownloadFunc(ctx context.Context, pathToUrl resourcePathToUrlFunc) func(lastError error) (string, error) {
	return func(lastError error) (string, error) {
		url, err := pathToUrl(ctx, lastError, gr.ResourcePath())
		if err != nil {
			return "", err
		}
		if url == "" {
			url = gr.Url
		}
		return url, nil
	}
}

// fetcherDownloadURLThread (reduced): the download thread asks for a fresh url
// after an HTTP error, through the refresh closure built in fetcherDownloadRangesThread.
func fetcherDownloadURLThread(ctx context.Context, gr *GetRange, refresh *locationRefresh, client ChunkStoreServiceClient) (string, error) {
	pathToUrl := func(ctx context.Context, lastError error, resourcePath string) (string, error) {
		return refresh.GetURL(ctx, lastError, client)
	}
	urlF := gr.GetDownloadFunc(ctx, pathToUrl)
	return urlF(HttpError)
}
