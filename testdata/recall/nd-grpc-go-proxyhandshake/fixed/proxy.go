// Recall case nd-grpc-go-proxyhandshake
// Source: github.com/grpc/grpc-go commit 2e802bd897174dc4f6f9336d5b64870c87c847b7 (internal/transport/proxy.go)
// Link: https://github.com/grpc/grpc-go/commit/2e802bd897174dc4f6f9336d5b64870c87c847b7
// Bug: doHTTPConnectHandshake writes the CONNECT request and blocks in http.ReadResponse on the raw conn, which observe neither ctx nor any conn deadline, so a proxy that accepts TCP but never answers hangs the dial far past the caller's deadline.
// Fix: a watchdog goroutine closes the conn when ctx is done (and ctx.Err() is wrapped with %w), so the handshake honours the caller's deadline.
// Rule: nodeadline
package transport

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
)

const proxyAuthHeaderKey = "Proxy-Authorization"

// Options is a stand-in for proxyattributes.Options.
type Options struct {
	User        *url.Userinfo
	ConnectAddr string
}

// Address is a stand-in for resolver.Address.
type Address struct {
	Addr string
}

// bufConn wraps the original net.Conn and the bufio.Reader to make sure we
// don't lose the bytes in the buffer.
type bufConn struct {
	net.Conn
	r io.Reader
}

func (c *bufConn) Read(b []byte) (int, error) {
	return c.r.Read(b)
}

func basicAuth(username, password string) string {
	auth := username + ":" + password
	return base64.StdEncoding.EncodeToString([]byte(auth))
}

func doHTTPConnectHandshake(ctx context.Context, conn net.Conn, grpcUA string, opts Options) (_ net.Conn, err error) {
	defer func() {
		if err != nil {
			conn.Close()
		}
	}()

	// Wire ctx cancellation into the synchronous Write/Read calls below.
	// http.Request.Write(conn) and http.ReadResponse(r, req) do not observe
	// the request's ctx, so without this watchdog a hung proxy would block
	// the handshake regardless of the caller's deadline.
	handshakeDone := make(chan struct{})
	defer close(handshakeDone)
	go func() {
		select {
		case <-ctx.Done():
			conn.Close()
		case <-handshakeDone:
		}
	}()

	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Host: opts.ConnectAddr},
		Header: map[string][]string{"User-Agent": {grpcUA}},
	}
	if user := opts.User; user != nil {
		u := user.Username()
		p, _ := user.Password()
		req.Header.Add(proxyAuthHeaderKey, "Basic "+basicAuth(u, p))
	}
	if err := sendHTTPRequest(ctx, req, conn); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("failed to write the HTTP request: %w", ctxErr)
		}
		return nil, fmt.Errorf("failed to write the HTTP request: %v", err)
	}

	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("reading server HTTP response: %w", ctxErr)
		}
		return nil, fmt.Errorf("reading server HTTP response: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		dump, err := httputil.DumpResponse(resp, true)
		if err != nil {
			return nil, fmt.Errorf("failed to do connect handshake, status code: %s", resp.Status)
		}
		return nil, fmt.Errorf("failed to do connect handshake, response: %q", dump)
	}
	if r.Buffered() != 0 {
		return &bufConn{Conn: conn, r: r}, nil
	}
	return conn, nil
}

// proxyDial establishes a TCP connection to the specified address and performs an HTTP CONNECT handshake.
func proxyDial(ctx context.Context, addr Address, grpcUA string, opts Options) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr.Addr)
	if err != nil {
		return nil, err
	}
	return doHTTPConnectHandshake(ctx, conn, grpcUA, opts)
}

func sendHTTPRequest(ctx context.Context, req *http.Request, conn net.Conn) error {
	req = req.WithContext(ctx)
	if err := req.Write(conn); err != nil {
		return fmt.Errorf("failed to write the HTTP request: %v", err)
	}
	return nil
}
