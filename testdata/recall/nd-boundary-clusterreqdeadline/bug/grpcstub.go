// Recall case nd-boundary-clusterreqdeadline
// Source: github.com/hashicorp/boundary commit a2c529b9d14898bdfbacaf00165c2ba42941d849 (internal/daemon/controller/interceptor.go, internal/daemon/controller/listeners.go)
// Link: https://github.com/hashicorp/boundary/commit/a2c529b9d14898bdfbacaf00165c2ba42941d849
// Bug: the cluster gRPC server built in Controller.configureForCluster hands each worker request context (no deadline) straight to handlers such as workerServiceServer.LookupSession, whose session.Repository.LookupSession runs DB transactions that can wait forever (e.g. for a pooled connection).
// Fix: add requestMaxDurationInterceptor to the unary interceptor chain, wrapping every request context in context.WithTimeout(ctx, ln.Config.MaxRequestDuration).
// Rule: nodeadline
package controller

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// Stand-in for google.golang.org/grpc: unary interceptors and a server that
// dispatches requests arriving over HTTP with the request's own context, like
// grpc.Server does for HTTP/2 streams (the context carries no deadline unless
// the client sent one).

type UnaryServerInfo struct {
	FullMethod string
}

type UnaryHandler func(ctx context.Context, req any) (any, error)

type UnaryServerInterceptor func(ctx context.Context, req any, info *UnaryServerInfo, handler UnaryHandler) (any, error)

// ChainUnaryServer mirrors grpc_middleware.ChainUnaryServer.
func ChainUnaryServer(interceptors ...UnaryServerInterceptor) UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *UnaryServerInfo, handler UnaryHandler) (any, error) {
		chained := handler
		for i := len(interceptors) - 1; i >= 0; i-- {
			ic, next := interceptors[i], chained
			chained = func(ctx context.Context, req any) (any, error) {
				return ic(ctx, req, info, next)
			}
		}
		return chained(ctx, req)
	}
}

type grpcServer struct {
	interceptor UnaryServerInterceptor
	methods     map[string]UnaryHandler
}

func newGrpcServer(interceptor UnaryServerInterceptor) *grpcServer {
	return &grpcServer{interceptor: interceptor, methods: map[string]UnaryHandler{}}
}

func (s *grpcServer) RegisterMethod(name string, h UnaryHandler) {
	s.methods[name] = h
}

func (s *grpcServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := s.methods[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := s.interceptor(r.Context(), body, &UnaryServerInfo{FullMethod: r.URL.Path}, h)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = json.NewEncoder(w).Encode(resp)
}
