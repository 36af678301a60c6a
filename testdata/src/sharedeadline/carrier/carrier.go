// Package carrier: a parameter that carries its caller's context behind a
// method (a gRPC stream's Context()) puts that context in scope (argo-cd's
// grpc-web proxy called a helper that built http.NewRequest from a
// handler holding the stream).
package carrier

import (
	"bytes"
	"context"
	"net/http"
)

// ServerStream is shaped like grpc.ServerStream.
type ServerStream interface {
	Context() context.Context
	SendMsg(m any) error
}

type StreamHandler func(srv any, stream ServerStream) error

type Server struct{ handler StreamHandler }

func NewServer(h StreamHandler) *Server { return &Server{handler: h} }

type client struct {
	http *http.Client
	url  string
}

func (c *client) execute(msg []byte) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(msg))
	if err != nil {
		return nil, err
	}
	return c.http.Do(req)
}

func (c *client) executeCtx(ctx context.Context, msg []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(msg))
	if err != nil {
		return nil, err
	}
	return c.http.Do(req)
}

func (c *client) proxy() *Server {
	return NewServer(func(_ any, stream ServerStream) error {
		resp, err := c.execute(nil) // want `\(\*carrier.client\).execute starts its own http.NewRequest, which reaches \(\*http.Client\).Do: the wait ignores stream.Context\(\)'s deadline and cancellation; pass stream.Context\(\) to it`
		if err != nil {
			return err
		}
		return resp.Body.Close()
	})
}

// Negatives.

// The fix: the stream's context reaches the request.
func (c *client) proxyFixed() *Server {
	return NewServer(func(_ any, stream ServerStream) error {
		resp, err := c.executeCtx(stream.Context(), nil)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	})
}

// A method that needs an argument to produce a context carries none.
type registry interface {
	ContextFor(name string) context.Context
}

func (c *client) refresh(reg registry) error {
	resp, err := c.execute(nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// A concrete type with a context method may be an object with a lifetime
// of its own (cobra's *Command): it does not put a caller's context in
// scope.
type Command struct{ ctx context.Context }

func (c *Command) Context() context.Context { return c.ctx }

func (c *client) runCommand(cmd *Command) error {
	resp, err := c.execute(nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Nor does a receiver with such a method: its context is its own.
type session struct {
	ctx context.Context
	c   *client
}

func (s *session) Context() context.Context { return s.ctx }

func (s *session) ping() error {
	resp, err := s.c.execute(nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// A goroutine handed a concrete value with a context method (certmagic's
// ARI update got the *tls.ClientHelloInfo of a handshake) is still work
// that outlives the caller.
type helloInfo struct{ ctx context.Context }

func (h *helloInfo) Context() context.Context { return h.ctx }

func (c *client) refreshLater(ctx context.Context, hello *helloInfo) {
	go func(hello *helloInfo) {
		resp, err := c.executeCtx(ctx, nil)
		if err == nil {
			resp.Body.Close()
		}
		fresh, cancel := context.WithTimeout(context.Background(), 8*60*1e9)
		defer cancel()
		if resp, err := c.executeCtx(fresh, nil); err == nil {
			resp.Body.Close()
		}
	}(hello)
}
