// Recall case nd-go-ipfs-api-request-send
// Source: github.com/ipfs/go-ipfs-api commit 8d0ddc0473069b49850b2486477c4a83e2752343 (request.go)
// Link: https://github.com/ipfs/go-ipfs-api/commit/8d0ddc0473069b49850b2486477c4a83e2752343
// Bug: RequestBuilder.Send(ctx) passes ctx to NewRequest, which drops it; Request.Send then builds the POST with http.NewRequest and runs it on an http.Client without Timeout, so the API call has no deadline and ignores the caller's ctx.
// Fix: NewRequest stores ctx in Request.Ctx and Send binds the HTTP request to it with req.WithContext(r.Ctx).
// Rule: nodeadline
package shell

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

type Request struct {
	ApiBase string
	Command string
	Args    []string
	Opts    map[string]string
	Body    io.Reader
	Headers map[string]string
}

func NewRequest(ctx context.Context, url, command string, args ...string) *Request {
	if !strings.HasPrefix(url, "http") {
		url = "http://" + url
	}

	opts := map[string]string{
		"encoding":        "json",
		"stream-channels": "true",
	}
	return &Request{
		ApiBase: url + "/api/v0",
		Command: command,
		Args:    args,
		Opts:    opts,
		Headers: make(map[string]string),
	}
}

type trailerReader struct {
	resp *http.Response
}

func (r *trailerReader) Read(b []byte) (int, error) {
	n, err := r.resp.Body.Read(b)
	if err != nil {
		if e := r.resp.Trailer.Get("X-Stream-Error"); e != "" {
			err = errors.New(e)
		}
	}
	return n, err
}

func (r *trailerReader) Close() error {
	return r.resp.Body.Close()
}

type Response struct {
	Output io.ReadCloser
	Error  *Error
}

type Error struct {
	Command string
	Message string
	Code    int
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %d: %s", e.Command, e.Code, e.Message)
}

func (r *Request) Send(c *http.Client) (*Response, error) {
	url := r.getURL()
	req, err := http.NewRequest("POST", url, r.Body)
	if err != nil {
		return nil, err
	}

	// Add any headers that were supplied via the RequestBuilder.
	for k, v := range r.Headers {
		req.Header.Add(k, v)
	}

	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}

	nresp := new(Response)
	nresp.Output = &trailerReader{resp}
	if resp.StatusCode >= http.StatusBadRequest {
		e := &Error{Command: r.Command, Code: resp.StatusCode}
		_ = json.NewDecoder(resp.Body).Decode(e)
		nresp.Error = e
		nresp.Output = nil
		resp.Body.Close()
	}
	return nresp, nil
}

func (r *Request) getURL() string {
	values := make(url.Values)
	for _, arg := range r.Args {
		values.Add("arg", arg)
	}
	for k, v := range r.Opts {
		values.Set(k, v)
	}
	return fmt.Sprintf("%s/%s?%s", r.ApiBase, r.Command, values.Encode())
}
