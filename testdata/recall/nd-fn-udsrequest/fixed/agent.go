// Recall case nd-fn-udsrequest
// Source: github.com/fnproject/fn commit 5aabdae26a9348bb252c856b508bc90fd2c9ca07 (api/agent/agent.go)
// Link: https://github.com/fnproject/fn/commit/5aabdae26a9348bb252c856b508bc90fd2c9ca07
// Bug: callToHTTPRequest builds the request to the function container with http.NewRequest (no context) and dispatch sends it with a UDS http.Client that has no Timeout, so the call's deadline never reaches the transport and a stuck container keeps the request (and its goroutine/connection) alive indefinitely.
// Fix: The request is bound to the call context with req.WithContext(ctx) before it is returned.
// Rule: nodeadline
package agent

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"
)

const udsFilename = "lsnr.sock"

type call struct {
	ID  string
	req *http.Request
	w   io.Writer
}

type hotSlot struct {
	errC      <-chan error // container error
	udsClient http.Client
	fatalErr  error
	maxResp   int64
}

func newHotSlot(udsAgentPath string, errC <-chan error) *hotSlot {
	udsClient := http.Client{
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", filepath.Join(udsAgentPath, udsFilename))
			},
		},
	}
	return &hotSlot{errC: errC, udsClient: udsClient, maxResp: 1 << 20}
}

func (s *hotSlot) trySetError(err error) {
	if s.fatalErr == nil {
		s.fatalErr = err
	}
}

func (s *hotSlot) exec(ctx context.Context, call *call) error {
	call.req = call.req.WithContext(ctx)

	errApp := s.dispatch(ctx, call)

	select {
	case err := <-s.errC: // error from container
		s.trySetError(err)
		return err
	case err := <-errApp: // from dispatch
		return err
	case <-ctx.Done(): // call timeout
		s.trySetError(ctx.Err())
		return ctx.Err()
	}
}

var removeHeaders = map[string]bool{
	"connection":        true,
	"keep-alive":        true,
	"trailer":           true,
	"transfer-encoding": true,
	"te":                true,
	"upgrade":           true,
	"authorization":     true,
}

func callToHTTPRequest(ctx context.Context, call *call) (*http.Request, error) {
	req, err := http.NewRequest("POST", "http://localhost/call", call.req.Body)
	if err != nil {
		return req, err
	}
	// Set the context on the request to make sure transport and client handle
	// it properly and close connections at the end, e.g. when using UDS.
	req = req.WithContext(ctx)

	req.Header = make(http.Header)
	for k, vs := range call.req.Header {
		if !removeHeaders[strings.ToLower(k)] {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
	}

	req.Header.Set("Fn-Call-Id", call.ID)
	deadline, ok := ctx.Deadline()
	if ok {
		deadlineStr := deadline.Format(time.RFC3339)
		req.Header.Set("Fn-Deadline", deadlineStr)
	}

	return req, err
}

func (s *hotSlot) dispatch(ctx context.Context, call *call) chan error {
	errApp := make(chan error, 1)

	req, err := callToHTTPRequest(ctx, call)
	if err != nil {
		errApp <- err
		return errApp
	}

	go func() {
		resp, err := s.udsClient.Do(req)
		if err != nil {
			errApp <- errors.New("error receiving function response")
			return
		}
		defer resp.Body.Close()

		select {
		case errApp <- writeResp(s.maxResp, resp, call.w):
		case <-ctx.Done():
			errApp <- ctx.Err()
		}
	}()
	return errApp
}

func writeResp(max int64, resp *http.Response, w io.Writer) error {
	_, err := io.Copy(w, io.LimitReader(resp.Body, max))
	return err
}
