// Recall case sc-flipt-authinterceptor
// Source: github.com/flipt-io/flipt commit c12967bc73fdf02054cf3ef8498c05e25f0a18c0 (internal/server/auth/middleware.go)
// Link: https://github.com/flipt-io/flipt/commit/c12967bc73fdf02054cf3ef8498c05e25f0a18c0
// Bug: auth.UnaryInterceptor turns a context.Canceled/DeadlineExceeded from Store.GetAuthenticationByClientToken into errUnauthenticated, and ErrorUnaryInterceptor turns handler context errors into codes.Internal, so client cancellation/timeouts are reported as auth/internal failures.
// Fix: both interceptors check errors.Is(err, context.Canceled / context.DeadlineExceeded) and return status codes Canceled / DeadlineExceeded instead.
// Rule: swallowcancel
package auth

import (
	"context"
	"fmt"
)

// ---- minimal stand-ins for google.golang.org/grpc, codes, status, metadata ----

type Code int

const (
	OK               Code = 0
	Canceled         Code = 1
	Internal         Code = 13
	DeadlineExceeded Code = 4
	NotFound         Code = 5
	Unauthenticated  Code = 16
)

// statusError mirrors *status.Error: it carries only a code and a message.
type statusError struct {
	code Code
	msg  string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("rpc error: code = %d desc = %s", e.code, e.msg)
}

// StatusError mirrors status.Error(code, msg).
func StatusError(c Code, msg string) error {
	return &statusError{code: c, msg: msg}
}

// StatusFromError mirrors status.FromError.
func StatusFromError(err error) (*statusError, bool) {
	se, ok := err.(*statusError)
	return se, ok
}

type UnaryServerInfo struct {
	Server     any
	FullMethod string
}

type UnaryHandler func(ctx context.Context, req interface{}) (interface{}, error)

type UnaryServerInterceptor func(ctx context.Context, req interface{}, info *UnaryServerInfo, handler UnaryHandler) (interface{}, error)

// MD mirrors metadata.MD.
type MD map[string][]string

func (md MD) Get(k string) []string { return md[k] }

type mdIncomingKey struct{}

func NewIncomingContext(ctx context.Context, md MD) context.Context {
	return context.WithValue(ctx, mdIncomingKey{}, md)
}

func FromIncomingContext(ctx context.Context) (MD, bool) {
	md, ok := ctx.Value(mdIncomingKey{}).(MD)
	return md, ok
}
