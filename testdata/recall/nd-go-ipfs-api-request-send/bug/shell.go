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
	"fmt"
	"io"
	"net/http"
)

type Shell struct {
	url     string
	httpcli http.Client
}

func NewShell(url string) *Shell {
	c := &http.Client{
		Transport: &http.Transport{
			Proxy:             http.ProxyFromEnvironment,
			DisableKeepAlives: true,
		},
	}

	return NewShellWithClient(url, c)
}

func NewShellWithClient(url string, c *http.Client) *Shell {
	var sh Shell
	sh.url = url
	sh.httpcli = *c
	// We don't support redirects.
	sh.httpcli.CheckRedirect = func(_ *http.Request, _ []*http.Request) error {
		return fmt.Errorf("unexpected redirect")
	}
	return &sh
}

func (s *Shell) Request(command string, args ...string) *RequestBuilder {
	return &RequestBuilder{
		command: command,
		args:    args,
		shell:   s,
	}
}

// RequestBuilder is an IPFS commands request builder.
type RequestBuilder struct {
	command string
	args    []string
	opts    map[string]string
	headers map[string]string
	body    io.Reader

	shell *Shell
}

// Send sends the request and return the response.
func (r *RequestBuilder) Send(ctx context.Context) (*Response, error) {
	req := NewRequest(ctx, r.shell.url, r.command, r.args...)
	if r.opts != nil {
		req.Opts = r.opts
	}
	if r.headers != nil {
		req.Headers = r.headers
	}
	req.Body = r.body
	return req.Send(&r.shell.httpcli)
}

// Exec sends the request a request and decodes the response.
func (r *RequestBuilder) Exec(ctx context.Context, res interface{}) error {
	httpRes, err := r.Send(ctx)
	if err != nil {
		return err
	}
	if httpRes.Error != nil {
		return httpRes.Error
	}
	defer httpRes.Output.Close()
	if res == nil {
		return nil
	}
	return json.NewDecoder(httpRes.Output).Decode(res)
}

// ID returns information about the node (real caller of Request(...).Exec(ctx, ...)).
func (s *Shell) ID(ctx context.Context) (map[string]interface{}, error) {
	var out map[string]interface{}
	if err := s.Request("id").Exec(ctx, &out); err != nil {
		return nil, err
	}
	return out, nil
}
