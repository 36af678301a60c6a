// Recall case sd-resty-trace
// Source: github.com/go-resty/resty commit e29360fab9de1f7f8c7109b897160cf06f220972 (middleware.go, trace.go)
// Link: https://github.com/go-resty/resty/pull/284
// Bug: with tracing enabled, createHTTPRequest replaces the request's context with clientTrace.createContext(), which is rooted at context.Background(), so the caller's SetContext deadline/cancellation never reaches http.Client.Do and a traced request can hang forever.
// Fix: createContext now takes the request context as parent (r.Context()) and the trace context is built before r.ctx is attached to the raw request.
// Rule: sharedeadline
package resty

import (
	"context"
	"crypto/tls"
	"io"
	"io/ioutil"
	"net/http"
	"net/http/httptrace"
	"time"
)

// Client is a stripped-down resty.Client.
type Client struct {
	httpClient    *http.Client
	trace         bool
	beforeRequest []func(*Client, *Request) error
}

// New creates a client with resty's built-in request middlewares.
func New() *Client {
	c := &Client{httpClient: &http.Client{}}
	c.beforeRequest = []func(*Client, *Request) error{
		createHTTPRequest,
	}
	return c
}

// EnableTrace enables tracing for all requests of the client.
func (c *Client) EnableTrace() *Client {
	c.trace = true
	return c
}

// R creates a new request.
func (c *Client) R() *Request {
	return &Request{client: c, Header: http.Header{}}
}

// Request is a stripped-down resty.Request.
type Request struct {
	URL         string
	Method      string
	Header      http.Header
	Body        interface{}
	Time        time.Time
	RawRequest  *http.Request
	client      *Client
	ctx         context.Context
	trace       bool
	clientTrace *clientTrace
}

// Response is a stripped-down resty.Response.
type Response struct {
	Request     *Request
	RawResponse *http.Response
	body        []byte
	receivedAt  time.Time
}

// Context method returns the Context if its already set in request
// otherwise it creates new one using `context.Background()`.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

// SetContext method sets the context.Context for current Request. It allows
// to interrupt the request execution if ctx.Done() channel is closed.
func (r *Request) SetContext(ctx context.Context) *Request {
	r.ctx = ctx
	return r
}

// EnableTrace enables trace for the current request.
func (r *Request) EnableTrace() *Request {
	r.trace = true
	return r
}

// Get method does GET HTTP request.
func (r *Request) Get(url string) (*Response, error) {
	return r.Execute(http.MethodGet, url)
}

// Execute method performs the HTTP request with given HTTP method and URL.
func (r *Request) Execute(method, url string) (*Response, error) {
	r.Method = method
	r.URL = url
	return r.client.execute(r)
}

func (c *Client) execute(req *Request) (*Response, error) {
	var err error
	// resty middlewares
	for _, f := range c.beforeRequest {
		if err = f(c, req); err != nil {
			return nil, err
		}
	}

	req.Time = time.Now()
	resp, err := c.httpClient.Do(req.RawRequest)
	endTime := time.Now()

	if c.trace || req.trace {
		req.clientTrace.endTime = endTime
	}

	response := &Response{Request: req, RawResponse: resp, receivedAt: endTime}
	if err != nil {
		return response, err
	}
	defer resp.Body.Close()
	if response.body, err = ioutil.ReadAll(resp.Body); err != nil {
		return response, err
	}
	return response, nil
}

func createHTTPRequest(c *Client, r *Request) (err error) {
	if reader, ok := r.Body.(io.Reader); ok {
		r.RawRequest, err = http.NewRequest(r.Method, r.URL, reader)
	} else {
		r.RawRequest, err = http.NewRequest(r.Method, r.URL, nil)
	}
	if err != nil {
		return
	}

	// Add headers into http request
	r.RawRequest.Header = r.Header

	// Use context if it was specified
	if r.ctx != nil {
		r.RawRequest = r.RawRequest.WithContext(r.ctx)
	}

	// Enable trace
	if c.trace || r.trace {
		r.clientTrace = &clientTrace{}
		r.RawRequest = r.RawRequest.WithContext(r.clientTrace.createContext())
	}

	return
}

// clientTrace maps the `httptrace.ClientTrace` hooks into fields (trace.go).
type clientTrace struct {
	getConn              time.Time
	gotConn              time.Time
	gotFirstResponseByte time.Time
	dnsStart             time.Time
	dnsDone              time.Time
	tlsHandshakeStart    time.Time
	tlsHandshakeDone     time.Time
	wroteRequest         time.Time
	endTime              time.Time
	gotConnInfo          httptrace.GotConnInfo
}

func (t *clientTrace) createContext() context.Context {
	return httptrace.WithClientTrace(
		context.Background(),
		&httptrace.ClientTrace{
			GetConn: func(_ string) {
				t.getConn = time.Now()
			},
			GotConn: func(ci httptrace.GotConnInfo) {
				t.gotConn = time.Now()
				t.gotConnInfo = ci
			},
			GotFirstResponseByte: func() {
				t.gotFirstResponseByte = time.Now()
			},
			DNSStart: func(_ httptrace.DNSStartInfo) {
				t.dnsStart = time.Now()
			},
			DNSDone: func(_ httptrace.DNSDoneInfo) {
				t.dnsDone = time.Now()
			},
			TLSHandshakeStart: func() {
				t.tlsHandshakeStart = time.Now()
			},
			TLSHandshakeDone: func(_ tls.ConnectionState, _ error) {
				t.tlsHandshakeDone = time.Now()
			},
			WroteRequest: func(_ httptrace.WroteRequestInfo) {
				t.wroteRequest = time.Now()
			},
		},
	)
}

// FetchTraced is typical caller code: a deadline-bounded, traced GET.
func FetchTraced(ctx context.Context, c *Client, url string) ([]byte, error) {
	resp, err := c.R().SetContext(ctx).EnableTrace().Get(url)
	if err != nil {
		return nil, err
	}
	return resp.body, nil
}
