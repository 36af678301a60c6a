// Recall case nd-boundary-clusterreqdeadline
// Source: github.com/hashicorp/boundary commit a2c529b9d14898bdfbacaf00165c2ba42941d849 (internal/daemon/controller/interceptor.go, internal/daemon/controller/listeners.go)
// Link: https://github.com/hashicorp/boundary/commit/a2c529b9d14898bdfbacaf00165c2ba42941d849
// Bug: the cluster gRPC server built in Controller.configureForCluster hands each worker request context (no deadline) straight to handlers such as workerServiceServer.LookupSession, whose session.Repository.LookupSession runs DB transactions that can wait forever (e.g. for a pooled connection).
// Fix: add requestMaxDurationInterceptor to the unary interceptor chain, wrapping every request context in context.WithTimeout(ctx, ln.Config.MaxRequestDuration).
// Rule: nodeadline
package controller

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"time"
)

type ListenerConfig struct {
	MaxRequestDuration time.Duration
}

type ServerListener struct {
	Config          *ListenerConfig
	ClusterListener net.Listener
	HTTPServer      *http.Server
}

type Controller struct {
	baseContext context.Context
	db          *sql.DB
}

func eventsRequestInterceptor(_ context.Context) UnaryServerInterceptor {
	return func(interceptorCtx context.Context, req any, _ *UnaryServerInfo, handler UnaryHandler) (any, error) {
		return handler(interceptorCtx, req)
	}
}

func eventsResponseInterceptor(_ context.Context) UnaryServerInterceptor {
	return func(interceptorCtx context.Context, req any, _ *UnaryServerInfo, handler UnaryHandler) (any, error) {
		resp, err := handler(interceptorCtx, req)
		return resp, err
	}
}

func requestMaxDurationInterceptor(_ context.Context, maxRequestDuration time.Duration) UnaryServerInterceptor {
	return func(interceptorCtx context.Context, req any, _ *UnaryServerInfo, handler UnaryHandler) (any, error) {
		withTimeout, cancel := context.WithTimeout(interceptorCtx, maxRequestDuration)
		defer cancel()
		return handler(withTimeout, req)
	}
}

func (c *Controller) configureForCluster(ln *ServerListener) (func(), error) {
	workerServer := newGrpcServer(
		ChainUnaryServer(
			requestMaxDurationInterceptor(c.baseContext, ln.Config.MaxRequestDuration),
			eventsRequestInterceptor(c.baseContext),  // before we get started, send the required events with the request
			eventsResponseInterceptor(c.baseContext), // as we finish, send the required events with the response
		),
	)

	registerWorkerService(workerServer, &workerServiceServer{
		sessionRepoFn: func() (*Repository, error) { return &Repository{writer: c.db}, nil },
	})

	ln.HTTPServer = &http.Server{
		Handler:           workerServer,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       5 * time.Minute,
	}

	return func() {
		go func() {
			_ = ln.HTTPServer.Serve(ln.ClusterListener)
		}()
	}, nil
}
