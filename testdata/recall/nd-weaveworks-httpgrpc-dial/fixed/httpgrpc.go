// Recall case nd-weaveworks-httpgrpc-dial
// Source: github.com/weaveworks/common commit 117167df27f582d9c856eca7477ebda16e20cbe9 (httpgrpc/httpgrpc.go)
// Link: https://github.com/weaveworks/common/commit/117167df27f582d9c856eca7477ebda16e20cbe9
// Bug: NewClient calls the blocking grpc.Dial with no context and no timeout, so an unreachable backend blocks the caller (authfe main thread) indefinitely.
// Fix: dial lazily in connect(ctx) from ServeHTTP using grpc.DialContext with context.WithTimeout(ctx, dialTimeout) (5s).
// Rule: nodeadline
package httpgrpc

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

const dialTimeout = 5 * time.Second

// clientConn stands in for *grpc.ClientConn.
type clientConn struct {
	conn net.Conn
}

// grpcDialContext stands in for the blocking grpc.DialContext(ctx, target, balancer.DialOption(), ...):
// it does not return until a connection is established or ctx is done.
func grpcDialContext(ctx context.Context, target string) (*clientConn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		return nil, err
	}
	return &clientConn{conn: conn}, nil
}

type Header struct {
	Key    string
	Values []string
}

type HTTPRequest struct {
	Method  string
	Url     string
	Body    []byte
	Headers []*Header
}

type HTTPResponse struct {
	Code    int32
	Headers []*Header
	Body    []byte
}

// HTTPClient stands in for the generated gRPC client interface.
type HTTPClient interface {
	Handle(ctx context.Context, in *HTTPRequest) (*HTTPResponse, error)
}

type httpClient struct {
	cc *clientConn
}

// NewHTTPClient stands in for the generated constructor.
func NewHTTPClient(cc *clientConn) HTTPClient {
	return &httpClient{cc: cc}
}

// Handle performs the unary call, bounded by ctx like a gRPC unary RPC.
func (c *httpClient) Handle(ctx context.Context, in *HTTPRequest) (*HTTPResponse, error) {
	if d, ok := ctx.Deadline(); ok {
		if err := c.cc.conn.SetDeadline(d); err != nil {
			return nil, err
		}
	}
	stop := context.AfterFunc(ctx, func() { c.cc.conn.Close() })
	defer stop()
	if err := json.NewEncoder(c.cc.conn).Encode(in); err != nil {
		return nil, err
	}
	resp := &HTTPResponse{}
	if err := json.NewDecoder(bufio.NewReader(c.cc.conn)).Decode(resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// Client is a http.Handler that forwards the request over gRPC.
type Client struct {
	mtx       sync.RWMutex
	service   string
	namespace string
	port      string
	client    HTTPClient
	conn      *clientConn
}

// NewClient makes a new Client, given a kubernetes service address.  Expects
// an address of the form <service>.<namespace>:<port>
func NewClient(address string) (*Client, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	parts := strings.SplitN(host, ".", 2)
	service, namespace := parts[0], "default"
	if len(parts) == 2 {
		namespace = parts[1]
	}
	return &Client{
		service:   service,
		namespace: namespace,
		port:      port,
	}, nil
}

func (c *Client) connect(ctx context.Context) error {
	c.mtx.RLock()
	connected := c.conn != nil
	c.mtx.RUnlock()
	if connected {
		return nil
	}

	c.mtx.Lock()
	defer c.mtx.Unlock()
	if c.conn != nil {
		return nil
	}

	ctxDeadline, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	conn, err := grpcDialContext(
		ctxDeadline,
		net.JoinHostPort(fmt.Sprintf("%s.%s", c.service, c.namespace), c.port),
	)
	if err != nil {
		return err
	}
	c.client = NewHTTPClient(conn)
	c.conn = conn
	return nil
}

// ServeHTTP implements http.Handler
func (c *Client) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := c.connect(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}

	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req := &HTTPRequest{
		Method:  r.Method,
		Url:     r.RequestURI,
		Body:    body,
		Headers: fromHeader(r.Header),
	}

	resp, err := c.client.Handle(r.Context(), req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}

	toHeader(resp.Headers, w.Header())
	w.WriteHeader(int(resp.Code))
	if _, err := w.Write(resp.Body); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
}

func toHeader(hs []*Header, header http.Header) {
	for _, h := range hs {
		header[h.Key] = h.Values
	}
}

func fromHeader(hs http.Header) []*Header {
	result := make([]*Header, 0, len(hs))
	for k, vs := range hs {
		result = append(result, &Header{
			Key:    k,
			Values: vs,
		})
	}
	return result
}
