// Recall case nd-dubbogo-h2cdial
// Source: github.com/apache/dubbo-go commit 806bd66349cd6fbfbc07a23378371590f3e12da9 (protocol/triple/client.go)
// Link: https://github.com/apache/dubbo-go/commit/806bd66349cd6fbfbc07a23378371590f3e12da9
// Bug: newClientManager's non-TLS HTTP/2 transport dials with net.Dial inside DialTLSContext, ignoring the request ctx, so callUnary's connect can hang past the caller's deadline.
// Fix: the dialer uses (&net.Dialer{}).DialContext(ctx, network, addr) so the request context bounds the dial.
// Rule: nodeadline
package triple

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	httpPrefix  string = "http://"
	httpsPrefix string = "https://"
)

// URL is the (reduced) dubbo service URL.
type URL struct {
	Location  string
	Interface string
}

// clientManager wraps triple clients and is responsible for find concrete triple client to invoke.
type clientManager struct {
	isIDL     bool
	triClient *triClient
}

func (cm *clientManager) callUnary(ctx context.Context, method string, req []byte) ([]byte, error) {
	return cm.triClient.CallUnary(ctx, method, req)
}

func newClientManager(url *URL, keepAliveInterval, keepAliveTimeout time.Duration) (*clientManager, error) {
	// handle http transport of triple protocol
	var transport http.RoundTripper

	// HTTP default type is HTTP/2 (h2c when TLS is not configured).
	transport = &http2Transport{
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		AllowHTTP:       true,
		ReadIdleTimeout: keepAliveInterval,
		PingTimeout:     keepAliveTimeout,
	}

	httpClient := &http.Client{
		Transport: transport,
	}

	baseTriURL := strings.TrimPrefix(url.Location, httpPrefix)
	baseTriURL = strings.TrimPrefix(baseTriURL, httpsPrefix)
	baseTriURL = httpPrefix + baseTriURL

	triURL := strings.TrimSuffix(baseTriURL, "/") + "/" + url.Interface
	return &clientManager{
		isIDL:     true,
		triClient: &triClient{httpClient: httpClient, url: triURL},
	}, nil
}

// --- stubs for triple_protocol.Client and golang.org/x/net/http2.Transport ---

// triClient stands in for triple_protocol.Client: a unary call is a POST carrying ctx.
type triClient struct {
	httpClient *http.Client
	url        string
}

func (c *triClient) CallUnary(ctx context.Context, method string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/"+method, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/proto")
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("triple call %s: status %d", method, resp.StatusCode)
	}
	return io.ReadAll(resp.Body)
}

// http2Transport mirrors the fields of x/net/http2.Transport used above. Like the real
// transport, it calls DialTLSContext with the request's context to open a connection.
type http2Transport struct {
	DialTLSContext  func(ctx context.Context, network, addr string, cfg *tls.Config) (net.Conn, error)
	AllowHTTP       bool
	ReadIdleTimeout time.Duration
	PingTimeout     time.Duration

	once sync.Once
	rt   *http.Transport
}

func (t *http2Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !t.AllowHTTP {
		return nil, errors.New("http2: unencrypted HTTP/2 not enabled")
	}
	t.once.Do(func() {
		t.rt = &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return t.DialTLSContext(ctx, network, addr, nil)
			},
		}
	})
	return t.rt.RoundTrip(req)
}
