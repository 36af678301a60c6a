// Recall case sd-jimm-apihandler
// Source: github.com/canonical/jimm commit f7311dea89d283ff75e5c1ad51cf2d69d754b197 (internal/v2/api.go)
// Link: https://github.com/canonical/jimm/commit/f7311dea89d283ff75e5c1ad51cf2d69d754b197
// Bug: The per-request handler constructor starts a fresh 30s budget with context.WithTimeout(context.Background(), 30*time.Second), ignoring the request's context, so a client that disconnects (or a server-side request deadline) does not stop the controller dial done with h.context.
// Fix: The 30s timeout is derived from the request context (p.Context) instead of context.Background().
// Rule: sharedeadline
package v2

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Params stands in for httprequest.Params: the per-request data handed to a handler constructor.
type Params struct {
	Response    http.ResponseWriter
	Request     *http.Request
	PathPattern string
	Context     context.Context
}

type userKey struct{}

// Authenticator stands in for auth.Authenticator.
type Authenticator struct{}

func (a *Authenticator) AuthenticateRequest(ctx context.Context, req *http.Request) (context.Context, error) {
	user := req.Header.Get("X-User")
	if user == "" {
		return nil, errors.New("unauthorized")
	}
	return context.WithValue(ctx, userKey{}, user), nil
}

func (a *Authenticator) Close() {}

// JEM stands in for jem.JEM; OpenAPIFromDoc dials the controller with the given ctx.
type JEM struct {
	dialer net.Dialer
}

func (j *JEM) OpenAPIFromDoc(ctx context.Context, hostPort string) (net.Conn, error) {
	return j.dialer.DialContext(ctx, "tcp", hostPort)
}

func (j *JEM) Close() {}

type Handler struct {
	jem     *JEM
	context context.Context
	cancel  context.CancelFunc
}

func NewAPIHandler(newJEM func() *JEM, newAuth func() *Authenticator) func(p Params) (*Handler, error) {
	return func(p Params) (*Handler, error) {
		// Time out all requests after 30s
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		// All requests require an authenticated client.
		a := newAuth()
		defer a.Close()
		ctx, err := a.AuthenticateRequest(ctx, p.Request)
		if err != nil {
			return nil, err
		}
		h := &Handler{
			jem:     newJEM(),
			context: ctx,
			cancel:  cancel,
		}
		return h, nil
	}
}

// Close implements io.Closer and is called by httprequest
// when the request is complete.
func (h *Handler) Close() error {
	h.cancel()
	h.jem.Close()
	h.jem = nil
	return nil
}

// AddController checks that the new controller is reachable.
func (h *Handler) AddController(hostPort string) error {
	conn, err := h.jem.OpenAPIFromDoc(h.context, hostPort)
	if err != nil {
		return err
	}
	return conn.Close()
}
