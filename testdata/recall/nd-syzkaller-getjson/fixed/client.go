// Recall case nd-syzkaller-getjson
// Source: github.com/google/syzkaller commit 02af57a28186dadf4e0faf263aa63d5ceafccbd6 (syz-cluster/pkg/api/client.go)
// Link: https://github.com/google/syzkaller/commit/02af57a28186dadf4e0faf263aa63d5ceafccbd6
// Bug: GetSeries/GetSessionSeries drop their ctx and getJSON fetches with http.Get (DefaultClient, no timeout, no context), and postJSON uses http.DefaultClient; a stalled API server blocks the caller forever.
// Fix: getJSON takes the ctx and builds the request with http.NewRequestWithContext, and both paths go through an http.Client with a one-minute Timeout.
// Rule: nodeadline
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

type Series struct {
	ID      string
	Title   string
	Version int
}

type SkipRequest struct {
	Reason string
}

type Client struct {
	baseURL string
}

func NewClient(url string) *Client {
	return &Client{baseURL: strings.TrimRight(url, "/")}
}

func (client Client) GetSessionSeries(ctx context.Context, sessionID string) (*Series, error) {
	return getJSON[Series](ctx, client.baseURL+"/sessions/"+sessionID+"/series")
}

func (client Client) GetSeries(ctx context.Context, seriesID string) (*Series, error) {
	return getJSON[Series](ctx, client.baseURL+"/series/"+seriesID)
}

func (client Client) SkipSession(ctx context.Context, sessionID string, req *SkipRequest) error {
	_, err := postJSON[SkipRequest, any](ctx, client.baseURL+"/sessions/"+sessionID+"/skip", req)
	return err
}

func getJSON[Resp any](ctx context.Context, url string) (*Resp, error) {
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return finishRequest[Resp](httpReq)
}

func postJSON[Req any, Resp any](ctx context.Context, url string, req *Req) (*Resp, error) {
	jsonBody, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBuffer(jsonBody))
	if err != nil {
		return nil, err
	}
	httpReq.Header.Set("Content-Type", "application/json")
	return finishRequest[Resp](httpReq)
}

const requestTimeout = time.Minute

func finishRequest[Resp any](httpReq *http.Request) (*Resp, error) {
	client := &http.Client{
		Timeout: requestTimeout,
	}
	resp, err := client.Do(httpReq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := ensure200(resp); err != nil {
		return nil, err
	}
	var data Resp
	err = json.NewDecoder(resp.Body).Decode(&data)
	if err != nil {
		return nil, err
	}
	return &data, nil
}

func ensure200(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		bodyBytes, _ := io.ReadAll(resp.Body)
		if len(bodyBytes) > 128 {
			bodyBytes = bodyBytes[:128]
		}
		return fmt.Errorf("unexpected status code: %d, body: %s", resp.StatusCode, bodyBytes)
	}
	return nil
}
