// Recall case sc-flipt-authinterceptor
// Source: github.com/flipt-io/flipt commit c12967bc73fdf02054cf3ef8498c05e25f0a18c0 (internal/server/middleware/grpc/middleware.go)
// Link: https://github.com/flipt-io/flipt/commit/c12967bc73fdf02054cf3ef8498c05e25f0a18c0
// Bug: auth.UnaryInterceptor turns a context.Canceled/DeadlineExceeded from Store.GetAuthenticationByClientToken into errUnauthenticated, and ErrorUnaryInterceptor turns handler context errors into codes.Internal, so client cancellation/timeouts are reported as auth/internal failures.
// Fix: both interceptors check errors.Is(err, context.Canceled / context.DeadlineExceeded) and return status codes Canceled / DeadlineExceeded instead.
// Rule: swallowcancel
package auth

import (
	"context"
	"errors"
)

var ErrNotFound = errors.New("not found")

// ErrorUnaryInterceptor intercepts known errors and returns the appropriate GRPC status code
func ErrorUnaryInterceptor(ctx context.Context, req interface{}, _ *UnaryServerInfo, handler UnaryHandler) (resp interface{}, err error) {
	resp, err = handler(ctx, req)
	if err == nil {
		return resp, nil
	}

	// given already a *status.Error then forward unchanged
	if _, ok := StatusFromError(err); ok {
		return
	}

	code := Internal
	switch {
	case errors.Is(err, ErrNotFound):
		code = NotFound
	}

	err = StatusError(code, err.Error())
	return
}

// ChainUnaryInterceptors mirrors grpc.ChainUnaryInterceptor.
func ChainUnaryInterceptors(interceptors ...UnaryServerInterceptor) UnaryServerInterceptor {
	return func(ctx context.Context, req interface{}, info *UnaryServerInfo, handler UnaryHandler) (interface{}, error) {
		chained := handler
		for i := len(interceptors) - 1; i >= 0; i-- {
			next, ic := chained, interceptors[i]
			chained = func(ctx context.Context, req interface{}) (interface{}, error) {
				return ic(ctx, req, info, next)
			}
		}
		return chained(ctx, req)
	}
}
