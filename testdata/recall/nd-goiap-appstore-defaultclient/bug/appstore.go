// Recall case nd-goiap-appstore-defaultclient
// Source: github.com/awa/go-iap commit 8e67f122c0c466c37ae9ee843347975d33d710de (appstore/validator.go)
// Link: https://github.com/awa/go-iap/pull/66
// Bug: the constructor New() stores http.DefaultClient (no timeout) in Client.httpCli; Verify and the sandbox retry in parseResponse send receipts through it, so a slow Apple endpoint hangs callers whose ctx has no deadline.
// Fix: New() stores &http.Client{Timeout: 10 * time.Second} instead of http.DefaultClient.
// Rule: nodeadline
package appstore

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
)

const SandboxURL, ProductionURL = "https://sandbox.itunes.apple.com/verifyReceipt", "https://buy.itunes.apple.com/verifyReceipt"
const ContentType = "application/json; charset=utf-8"

type Client struct {
	ProductionURL string
	SandboxURL    string
	httpCli       *http.Client
}

// New creates a client object
func New() *Client {
	client := &Client{
		ProductionURL: ProductionURL,
		SandboxURL:    SandboxURL,
		httpCli:       http.DefaultClient,
	}
	return client
}

// Verify sends receipts and gets validation result
func (c *Client) Verify(ctx context.Context, reqBody interface{}, result interface{}) error {
	b := new(bytes.Buffer)
	json.NewEncoder(b).Encode(reqBody)

	req, err := http.NewRequest("POST", c.ProductionURL, b)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ContentType)
	req = req.WithContext(ctx)
	resp, err := c.httpCli.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return c.parseResponse(resp, result, ctx, reqBody)
}

func (c *Client) parseResponse(resp *http.Response, result interface{}, ctx context.Context, reqBody interface{}) error {
	buf, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var r struct{ Status int } // 21007: sandbox receipt sent to production
	if err := json.Unmarshal(buf, &r); err != nil || r.Status != 21007 {
		return json.Unmarshal(buf, result)
	}
	b := new(bytes.Buffer)
	json.NewEncoder(b).Encode(reqBody)
	req, err := http.NewRequest("POST", c.SandboxURL, b)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ContentType)
	req = req.WithContext(ctx)
	resp, err = c.httpCli.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(result)
}
