// Recall case sd-gokit-ctxhttp
// Source: github.com/go-kit/kit commit d3b34e817df397eb152c45b7cea2396dc310d851 (transport/http/client.go)
// Link: https://github.com/go-kit/kit/pull/155
// Bug: the client endpoint receives a ctx (and even derives a cancellable one) but builds the request with http.NewRequest and sends it with c.client.Do(req) on http.DefaultClient, so the caller's deadline/cancellation never reaches the outgoing HTTP call and a slow server blocks the endpoint indefinitely.
// Fix: the request is sent with ctxhttp.Do(ctx, c.client, req), which binds the endpoint's ctx to the HTTP round trip.
// Rule: sharedeadline
package http

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// ---- github.com/go-kit/kit/endpoint ----

// Endpoint is the fundamental building block of servers and clients.
// It represents a single RPC method.
type Endpoint func(ctx context.Context, request interface{}) (response interface{}, err error)

// ---- golang.org/x/net/context/ctxhttp stand-in ----

type ctxhttpPkg struct{}

// Do sends an HTTP request with the provided http.Client and returns an HTTP response.
// If the client is nil, http.DefaultClient is used.
// If the context is canceled or times out, ctx.Err() will be returned.
func (ctxhttpPkg) Do(ctx context.Context, client *http.Client, req *http.Request) (*http.Response, error) {
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		select {
		case <-ctx.Done():
			err = ctx.Err()
		default:
		}
	}
	return resp, err
}

var ctxhttp ctxhttpPkg

// ---- transport/http/encode_decode.go ----

// EncodeRequestFunc encodes the passed request object into the HTTP request
// object. It's designed to be used in HTTP clients, for client-side
// endpoints.
type EncodeRequestFunc func(*http.Request, interface{}) error

// DecodeResponseFunc extracts a user-domain response object from an HTTP
// response object. It's designed to be used in HTTP clients, for client-side
// endpoints.
type DecodeResponseFunc func(*http.Response) (response interface{}, err error)

// ---- transport/http/request_response_funcs.go ----

// RequestFunc may take information from an HTTP request and put it into a
// request context. In Clients, BeforeFuncs are executed after creating the
// request but prior to invoking the HTTP client.
type RequestFunc func(context.Context, *http.Request) context.Context

// SetRequestHeader returns a RequestFunc that sets the specified header.
func SetRequestHeader(key, val string) RequestFunc {
	return func(ctx context.Context, r *http.Request) context.Context {
		r.Header.Set(key, val)
		return ctx
	}
}

// ---- transport/http/client.go ----

// Client wraps a URL and provides a method that implements endpoint.Endpoint.
type Client struct {
	client *http.Client
	method string
	tgt    *url.URL
	enc    EncodeRequestFunc
	dec    DecodeResponseFunc
	before []RequestFunc
}

// NewClient returns a
func NewClient(method string, tgt *url.URL, enc EncodeRequestFunc, dec DecodeResponseFunc, options ...ClientOption) *Client {
	c := &Client{
		client: http.DefaultClient,
		method: method,
		tgt:    tgt,
		enc:    enc,
		dec:    dec,
		before: []RequestFunc{},
	}
	for _, option := range options {
		option(c)
	}
	return c
}

// ClientOption sets an optional parameter for clients.
type ClientOption func(*Client)

// SetClient sets the underlying HTTP client used for requests.
// By default, http.DefaultClient is used.
func SetClient(client *http.Client) ClientOption {
	return func(c *Client) { c.client = client }
}

// SetClientBefore sets the RequestFuncs that are applied to the outgoing HTTP
// request before it's invoked.
func SetClientBefore(before ...RequestFunc) ClientOption {
	return func(c *Client) { c.before = before }
}

// Endpoint returns a usable endpoint that will invoke the RPC specified by
// the client.
func (c Client) Endpoint() Endpoint {
	return func(ctx context.Context, request interface{}) (interface{}, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()

		req, err := http.NewRequest(c.method, c.tgt.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("NewRequest: %v", err)
		}

		if err = c.enc(req, request); err != nil {
			return nil, fmt.Errorf("Encode: %v", err)
		}

		for _, f := range c.before {
			ctx = f(ctx, req)
		}

		resp, err := ctxhttp.Do(ctx, c.client, req)
		if err != nil {
			return nil, fmt.Errorf("Do: %v", err)
		}
		defer func() { _ = resp.Body.Close() }()

		response, err := c.dec(resp)
		if err != nil {
			return nil, fmt.Errorf("Decode: %v", err)
		}

		return response, nil
	}
}
