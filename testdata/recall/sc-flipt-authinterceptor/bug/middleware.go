// Recall case sc-flipt-authinterceptor
// Source: github.com/flipt-io/flipt commit c12967bc73fdf02054cf3ef8498c05e25f0a18c0 (internal/server/auth/middleware.go)
// Link: https://github.com/flipt-io/flipt/commit/c12967bc73fdf02054cf3ef8498c05e25f0a18c0
// Bug: auth.UnaryInterceptor turns a context.Canceled/DeadlineExceeded from Store.GetAuthenticationByClientToken into errUnauthenticated, and ErrorUnaryInterceptor turns handler context errors into codes.Internal, so client cancellation/timeouts are reported as auth/internal failures.
// Fix: both interceptors check errors.Is(err, context.Canceled / context.DeadlineExceeded) and return status codes Canceled / DeadlineExceeded instead.
// Rule: swallowcancel
package auth

import (
	"context"
	"errors"
	"log"
	"strings"
	"time"
)

const authenticationHeaderKey = "authorization"

var errUnauthenticated = StatusError(Unauthenticated, "request was not authenticated")

type authenticationContextKey struct{}

// Authenticator is the minimum subset of an authentication provider
// required by the middleware to perform lookups for Authentication instances
// using a obtained clientToken.
type Authenticator interface {
	GetAuthenticationByClientToken(ctx context.Context, clientToken string) (*Authentication, error)
}

// ContextWithAuthentication returns a context with the specified authentication
func ContextWithAuthentication(ctx context.Context, a *Authentication) context.Context {
	return context.WithValue(ctx, authenticationContextKey{}, a)
}

// UnaryInterceptor is a grpc.UnaryServerInterceptor which extracts a clientToken found
// within the authorization field on the incoming requests metadata.
// The fields value is expected to be in the form "Bearer <clientToken>".
func UnaryInterceptor(logger *log.Logger, authenticator Authenticator) UnaryServerInterceptor {
	return func(ctx context.Context, req interface{}, info *UnaryServerInfo, handler UnaryHandler) (interface{}, error) {
		md, ok := FromIncomingContext(ctx)
		if !ok {
			logger.Print("unauthenticated: metadata not found on context")
			return ctx, errUnauthenticated
		}

		clientToken, err := clientTokenFromMetadata(md)
		if err != nil {
			logger.Printf("unauthenticated: no authorization provided: %v", err)
			return ctx, errUnauthenticated
		}

		auth, err := authenticator.GetAuthenticationByClientToken(ctx, clientToken)
		if err != nil {
			logger.Printf("unauthenticated: error retrieving authentication for client token: %v", err)
			return ctx, errUnauthenticated
		}

		if auth.ExpiresAt != nil && auth.ExpiresAt.Before(time.Now()) {
			logger.Printf("unauthenticated: authorization expired: %s", auth.Id)
			return ctx, errUnauthenticated
		}

		return handler(ContextWithAuthentication(ctx, auth), req)
	}
}

func clientTokenFromMetadata(md MD) (string, error) {
	if authenticationHeader := md.Get(authenticationHeaderKey); len(authenticationHeader) > 0 {
		return clientTokenFromAuthorization(authenticationHeader[0])
	}
	return "", errors.New("no authorization header")
}

func clientTokenFromAuthorization(auth string) (string, error) {
	// ensure token was prefixed with "Bearer "
	if clientToken := strings.TrimPrefix(auth, "Bearer "); auth != clientToken {
		return clientToken, nil
	}
	return "", errors.New("authorization header required")
}
