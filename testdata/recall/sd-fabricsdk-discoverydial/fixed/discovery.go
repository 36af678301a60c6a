// Recall case sd-fabricsdk-discoverydial
// Source: github.com/hyperledger/fabric-sdk-go commit c365e23edb27bd6df144e4a2e8cea3360268dab9 (pkg/fab/comm/connection.go, pkg/fab/discovery/discovery.go)
// Link: https://github.com/hyperledger/fabric-sdk-go/commit/c365e23edb27bd6df144e4a2e8cea3360268dab9
// Bug: discovery Client.send receives the per-target reqCtx but NewConnection builds its dial context with NewRequest(ctx, WithTimeout(connectTimeout)) and no parent, so NewRequest falls back to context.Background(): the dial gets a fresh connect-timeout budget that ignores the caller's cancellation/deadline (cancelled targets keep dialing until the timeout).
// Fix: a WithParentContext(reqCtx) connection option is added in send and NewConnection passes it via WithParent(params.parentContext) so the dial context derives from the caller's ctx.
// Rule: sharedeadline
package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// ---- request-context helpers (stand-in for fabric-sdk-go pkg/context) ----

type requestContextOpts struct {
	timeout       time.Duration
	parentContext context.Context
}

// ReqContextOptions parameter for creating requestContext
type ReqContextOptions func(opts *requestContextOpts)

// WithTimeout sets the timeout of the request context.
func WithTimeout(timeout time.Duration) ReqContextOptions {
	return func(ctx *requestContextOpts) {
		ctx.timeout = timeout
	}
}

// WithParent sets the parent of the request context.
func WithParent(context context.Context) ReqContextOptions {
	return func(ctx *requestContextOpts) {
		ctx.parentContext = context
	}
}

// NewRequest creates a request-scope context from the client.
func NewRequest(client *ClientContext, options ...ReqContextOptions) (context.Context, context.CancelFunc) {
	reqCtxOpts := requestContextOpts{}
	for _, option := range options {
		option(&reqCtxOpts)
	}

	parentContext := reqCtxOpts.parentContext
	if parentContext == nil {
		//when parent request context not set, use background context
		parentContext = context.Background()
	}

	timeout := reqCtxOpts.timeout
	if timeout <= 0 {
		timeout = client.DefaultTimeout
	}

	return context.WithTimeout(parentContext, timeout)
}

// ---- comm (stand-in for pkg/fab/comm) ----

// ClientContext is a stand-in for fabcontext.Client.
type ClientContext struct {
	DefaultTimeout   time.Duration
	DiscoveryTimeout time.Duration
}

type params struct {
	failFast       bool
	connectTimeout time.Duration
	parentContext  context.Context
}

func defaultParams() *params {
	return &params{
		failFast:       true,
		connectTimeout: 3 * time.Second,
	}
}

// Opt is a connection option.
type Opt func(p interface{})

type connectTimeoutSetter interface {
	SetConnectTimeout(value time.Duration)
}

// WithConnectTimeout sets the GRPC connection timeout
func WithConnectTimeout(value time.Duration) Opt {
	return func(p interface{}) {
		if setter, ok := p.(connectTimeoutSetter); ok {
			setter.SetConnectTimeout(value)
		}
	}
}

func (p *params) SetConnectTimeout(value time.Duration) {
	p.connectTimeout = value
}

// WithParentContext sets the parent context
func WithParentContext(value context.Context) Opt {
	return func(p interface{}) {
		if setter, ok := p.(parentContextSetter); ok {
			setter.SetParentContext(value)
		}
	}
}

type parentContextSetter interface {
	SetParentContext(value context.Context)
}

func (p *params) SetParentContext(value context.Context) {
	p.parentContext = value
}

// GRPCConnection manages the connection to a peer.
type GRPCConnection struct {
	context *ClientContext
	conn    net.Conn
}

// NewConnection creates a new connection
func NewConnection(ctx *ClientContext, url string, opts ...Opt) (*GRPCConnection, error) {
	if url == "" {
		return nil, errors.New("server URL not specified")
	}

	params := defaultParams()
	for _, o := range opts {
		o(params)
	}

	reqCtx, cancel := NewRequest(ctx,
		WithTimeout(params.connectTimeout),
		WithParent(params.parentContext))
	defer cancel()

	var d net.Dialer
	conn, err := d.DialContext(reqCtx, "tcp", url)
	if err != nil {
		return nil, fmt.Errorf("could not connect to %s: %w", url, err)
	}

	return &GRPCConnection{context: ctx, conn: conn}, nil
}

// Close closes the connection
func (c *GRPCConnection) Close() { c.conn.Close() }

// ---- discovery (pkg/fab/discovery) ----

// Client implements a Discovery client
type Client struct {
	ctx *ClientContext
}

// Send sends a Discovery request to the given targets and returns the first response.
func (c *Client) Send(ctx context.Context, req []byte, targets ...string) ([][]byte, error) {
	if len(targets) == 0 {
		return nil, errors.New("no targets specified")
	}

	var lock sync.Mutex
	var wg sync.WaitGroup
	wg.Add(len(targets))

	var responses [][]byte
	var errs error

	reqCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	for _, t := range targets {
		go func(target string) {
			defer wg.Done()

			targetCtx, cancelTarget := context.WithCancel(reqCtx)
			defer cancelTarget()

			resp, err := c.send(targetCtx, req, target)
			lock.Lock()
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					errs = errors.Join(errs, fmt.Errorf("From target: %s: %w", target, err))
				}
			} else {
				responses = append(responses, resp)

				// Cancel all outstanding requests
				cancel()
			}
			lock.Unlock()
		}(t)
	}
	wg.Wait()

	return responses, errs
}

func (c *Client) send(reqCtx context.Context, req []byte, target string) ([]byte, error) {
	opts := []Opt{}
	opts = append(opts, WithConnectTimeout(c.ctx.DiscoveryTimeout))
	opts = append(opts, WithParentContext(reqCtx))

	conn, err := NewConnection(c.ctx, target, opts...)
	if err != nil {
		return nil, err
	}
	defer conn.Close()

	if dl, ok := reqCtx.Deadline(); ok {
		_ = conn.conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(reqCtx, func() { conn.Close() })
	defer stop()
	if _, err := conn.conn.Write(req); err != nil {
		return nil, err
	}
	buf := make([]byte, 4096)
	n, err := conn.conn.Read(buf)
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}
