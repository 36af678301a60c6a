// Recall case sc-moby-clientrequest
// Source: github.com/moby/moby commit 8e5ef8af5c90a3fbc93173cb485d42e044ca56ae (client/request.go)
// Link: https://github.com/moby/moby/pull/26432
// Bug: transport errors (including a wrapped context.Canceled) are reformatted with fmt.Errorf("...: %v", err), so callers cannot detect cancellation.
// Fix: the error is wrapped (errors.Wrap(err, "error during connect"); here %w) so the cause stays recoverable.
// Rule: swallowcancel
package client

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

type serverResponse struct {
	body       io.ReadCloser
	statusCode int
}

type Client struct {
	host   string
	addr   string
	client *http.Client
}

type errConnectionFailed struct{ host string }

func (e errConnectionFailed) Error() string {
	return fmt.Sprintf("Cannot connect to the Docker daemon at %s. Is the docker daemon running?", e.host)
}

func ErrorConnectionFailed(host string) error { return errConnectionFailed{host: host} }

func (cli *Client) sendClientRequest(ctx context.Context, method, path string, body io.Reader) (serverResponse, error) {
	serverResp := serverResponse{statusCode: -1}

	req, err := http.NewRequestWithContext(ctx, method, "http://"+cli.addr+path, body)
	if err != nil {
		return serverResp, err
	}

	resp, err := cli.client.Do(req)
	if err != nil {
		// Don't decorate context sentinel errors; users may be comparing to
		// them directly.
		switch err {
		case context.Canceled, context.DeadlineExceeded:
			return serverResp, err
		}

		if err, ok := err.(net.Error); ok {
			if err.Timeout() {
				return serverResp, ErrorConnectionFailed(cli.host)
			}
			if !err.Temporary() {
				if strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "dial unix") {
					return serverResp, ErrorConnectionFailed(cli.host)
				}
			}
		}
		return serverResp, fmt.Errorf("An error occurred trying to connect: %v", err)
	}

	serverResp.statusCode = resp.StatusCode
	serverResp.body = resp.Body
	return serverResp, nil
}
