// Recall case sd-go-getter-httpreq
// Source: github.com/hashicorp/go-getter commit d38eed1cce857232fd1ae0962166bfcf8e0c0cb7 (get_http.go)
// Link: https://github.com/hashicorp/go-getter/commit/d38eed1cce857232fd1ae0962166bfcf8e0c0cb7
// Bug: HttpGetter.Get and HttpGetter.GetFile receive ctx but build requests with http.NewRequest, so g.Client.Do ignores the caller's cancellation/deadline.
// Fix: build the GET/HEAD requests with http.NewRequestWithContext(ctx, ...).
// Rule: sharedeadline
package getter

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
)

// Request is a reduced go-getter Request.
type Request struct {
	Src string
	Dst string
	u   *url.URL
}

// HttpGetter is a Getter implementation that will download from an HTTP
// endpoint.
type HttpGetter struct {
	// Client is the http.Client to use for Get requests.
	Client *http.Client

	// Header contains optional request header fields.
	Header http.Header
}

func (g *HttpGetter) Get(ctx context.Context, req *Request) error {
	// Copy the URL so we can modify it
	var newU url.URL = *req.u
	req.u = &newU

	// Add terraform-get to the parameter.
	q := req.u.Query()
	q.Add("terraform-get", "1")
	req.u.RawQuery = q.Encode()

	// Get the URL
	httpReq, err := http.NewRequestWithContext(ctx, "GET", req.u.String(), nil)
	if err != nil {
		return err
	}

	if g.Header != nil {
		httpReq.Header = g.Header.Clone()
	}
	resp, err := g.Client.Do(httpReq)
	if err != nil {
		return err
	}

	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return fmt.Errorf("bad response code: %d", resp.StatusCode)
	}

	// Extract the source URL
	source := resp.Header.Get("X-Terraform-Get")
	if source == "" {
		return fmt.Errorf("no source URL was returned")
	}
	return nil
}

// GetFile fetches the file from src and stores it at dst.
func (g *HttpGetter) GetFile(ctx context.Context, req *Request) error {
	f, err := os.OpenFile(req.Dst, os.O_RDWR|os.O_CREATE, 0666)
	if err != nil {
		return err
	}
	defer f.Close()

	var currentFileSize int64

	// We first make a HEAD request so we can check
	// if the server supports range queries. If the server/URL doesn't
	// support HEAD requests, we just fall back to GET.
	httpReq, err := http.NewRequestWithContext(ctx, "HEAD", req.u.String(), nil)
	if err != nil {
		return err
	}
	if g.Header != nil {
		httpReq.Header = g.Header.Clone()
	}
	headResp, err := g.Client.Do(httpReq)
	if err == nil {
		headResp.Body.Close()
		if headResp.StatusCode == 200 {
			if headResp.Header.Get("Accept-Ranges") == "bytes" && headResp.ContentLength >= 0 {
				if fi, err := f.Stat(); err == nil {
					if _, err = f.Seek(0, io.SeekEnd); err == nil {
						currentFileSize = fi.Size()
						httpReq.Header.Set("Range", fmt.Sprintf("bytes=%d-", currentFileSize))
						if currentFileSize >= headResp.ContentLength {
							// file already present
							return nil
						}
					}
				}
			}
		}
	}
	httpReq.Method = "GET"

	resp, err := g.Client.Do(httpReq)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK, http.StatusPartialContent:
		// all good
	default:
		return fmt.Errorf("bad response code: %d", resp.StatusCode)
	}
	_, err = io.Copy(f, resp.Body)
	return err
}
