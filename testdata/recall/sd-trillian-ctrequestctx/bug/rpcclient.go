// Recall case sd-trillian-ctrequestctx
// Source: github.com/google/trillian commit 0d0a4307193ecc5bd56a174e97a3196cf3bfdb7c (trillian_api.pb.go (stand-in for the gRPC TrillianLogClient))
// Link: https://github.com/google/trillian/commit/0d0a4307193ecc5bd56a174e97a3196cf3bfdb7c
// Bug: appHandler.ServeHTTP imposes the backend RPC deadline with context.WithDeadline(context.TODO(), ...), a fresh budget that ignores the incoming request's context, so backend calls keep running after the HTTP client goes away or the server's own deadline passes.
// Fix: the RPC deadline is derived from the request context: context.WithDeadline(r.Context(), getRPCDeadlineTime(a.context)).
// Rule: sharedeadline
package ct

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

type GetLatestSignedLogRootRequest struct {
	LogId int64 `json:"log_id"`
}

type SignedLogRoot struct {
	TimestampNanos int64  `json:"timestamp_nanos"`
	RootHash       []byte `json:"root_hash"`
	TreeSize       int64  `json:"tree_size"`
}

type GetLatestSignedLogRootResponse struct {
	SignedLogRoot *SignedLogRoot `json:"signed_log_root"`
}

// TrillianLogClient stands in for the generated gRPC client interface.
type TrillianLogClient interface {
	GetLatestSignedLogRoot(ctx context.Context, in *GetLatestSignedLogRootRequest) (*GetLatestSignedLogRootResponse, error)
}

// httpLogClient reaches the log server over HTTP; the call honours ctx.
type httpLogClient struct {
	baseURL string
	client  *http.Client
}

func NewHTTPLogClient(baseURL string) TrillianLogClient {
	return &httpLogClient{baseURL: baseURL, client: &http.Client{}}
}

func (c *httpLogClient) GetLatestSignedLogRoot(ctx context.Context, in *GetLatestSignedLogRootRequest) (*GetLatestSignedLogRootResponse, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/trillian.TrillianLog/GetLatestSignedLogRoot", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("rpc failed: %s", resp.Status)
	}
	out := new(GetLatestSignedLogRootResponse)
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return nil, err
	}
	return out, nil
}
