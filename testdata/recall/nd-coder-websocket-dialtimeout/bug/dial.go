// Recall case nd-coder-websocket-dialtimeout
// Source: github.com/coder/websocket commit dbaf6f8f37bc74b7176f9cada3cbf454e2fcf148 (dial.go)
// Link: https://github.com/coder/websocket/commit/dbaf6f8f37bc74b7176f9cada3cbf454e2fcf148
// Bug: dial copies opts.HTTPClient without its Timeout and does not replace it, so handshakeRequest's HTTPClient.Do can wait forever when ctx has no deadline.
// Fix: when HTTPClient.Timeout > 0, derive ctx with context.WithTimeout(ctx, opts.HTTPClient.Timeout) before the handshake request.
// Rule: nodeadline
package websocket

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// DialOptions represents Dial's options.
type DialOptions struct {
	// HTTPClient is used for the connection.
	HTTPClient *http.Client

	// HTTPHeader specifies the HTTP headers included in the handshake request.
	HTTPHeader http.Header

	// Subprotocols lists the WebSocket subprotocols to negotiate with the server.
	Subprotocols []string
}

// Conn is a reduced WebSocket connection.
type Conn struct {
	rwc         io.ReadWriteCloser
	subprotocol string
}

// Dial performs a WebSocket handshake on url.
func Dial(ctx context.Context, u string, opts *DialOptions) (*Conn, *http.Response, error) {
	return dial(ctx, u, opts, nil)
}

func dial(ctx context.Context, urls string, opts *DialOptions, rand io.Reader) (_ *Conn, _ *http.Response, err error) {
	if opts == nil || opts.HTTPClient == nil {
		return nil, nil, fmt.Errorf("failed to WebSocket dial: HTTPClient is required")
	}

	o := *opts
	opts = &o
	if opts.HTTPClient.Timeout > 0 {
		// remove timeout
		opts.HTTPClient = &http.Client{
			Transport:     opts.HTTPClient.Transport,
			CheckRedirect: opts.HTTPClient.CheckRedirect,
			Jar:           opts.HTTPClient.Jar,
		}
	}

	if opts.HTTPHeader == nil {
		opts.HTTPHeader = http.Header{}
	}

	secWebSocketKey, err := secWebSocketKey(rand)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to generate Sec-WebSocket-Key: %w", err)
	}

	resp, err := handshakeRequest(ctx, urls, opts, secWebSocketKey)
	if err != nil {
		return nil, resp, err
	}
	respBody := resp.Body
	resp.Body = nil

	if resp.StatusCode != http.StatusSwitchingProtocols {
		respBody.Close()
		return nil, resp, fmt.Errorf("expected handshake response status code %v but got %v", http.StatusSwitchingProtocols, resp.StatusCode)
	}

	rwc, ok := respBody.(io.ReadWriteCloser)
	if !ok {
		respBody.Close()
		return nil, resp, fmt.Errorf("response body is not a io.ReadWriteCloser: %T", respBody)
	}

	return &Conn{
		subprotocol: resp.Header.Get("Sec-WebSocket-Protocol"),
		rwc:         rwc,
	}, resp, nil
}

func handshakeRequest(ctx context.Context, urls string, opts *DialOptions, secWebSocketKey string) (*http.Response, error) {
	u, err := url.Parse(urls)
	if err != nil {
		return nil, fmt.Errorf("failed to parse url: %w", err)
	}

	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	case "http", "https":
	default:
		return nil, fmt.Errorf("unexpected url scheme: %q", u.Scheme)
	}

	req, err := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header = opts.HTTPHeader.Clone()
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", secWebSocketKey)
	if len(opts.Subprotocols) > 0 {
		req.Header.Set("Sec-WebSocket-Protocol", strings.Join(opts.Subprotocols, ","))
	}

	resp, err := opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("failed to send handshake request: %w", err)
	}
	return resp, nil
}

func secWebSocketKey(rr io.Reader) (string, error) {
	if rr == nil {
		rr = rand.Reader
	}
	b := make([]byte, 16)
	_, err := io.ReadFull(rr, b)
	if err != nil {
		return "", fmt.Errorf("failed to read random data from rand.Reader: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}
