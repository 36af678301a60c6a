// Recall case sd-argocd-grpcproxy
// Source: github.com/argoproj/argo-cd commit 8b8d04ecfaeef46f030d6d42361ee0210edc264a (pkg/apiclient/grpcproxy.go; this file is a stub of google.golang.org/grpc server + metadata, not upstream code)
// Link: https://github.com/argoproj/argo-cd/pull/24157
// Bug: the grpc-web proxy handler in startGRPCProxy has stream.Context() in scope but calls executeRequest, which builds http.NewRequest without ctx, so the caller gRPC deadline/cancellation never reaches the upstream HTTP call.
// Fix: executeRequest takes ctx and uses http.NewRequestWithContext; the handler passes stream.Context().
// Rule: sharedeadline

package apiclient

import (
	"context"
	"strings"
)

// MD is a (stub) metadata.MD.
type MD map[string][]string

// Join joins any number of mds into a single MD (metadata.Join).
func Join(mds ...MD) MD {
	out := MD{}
	for _, md := range mds {
		for k, v := range md {
			out[k] = append(out[k], v...)
		}
	}
	return out
}

type mdIncomingKey struct{}
type methodKey struct{}

// FromIncomingContext returns the incoming metadata in ctx if it exists (metadata.FromIncomingContext).
func FromIncomingContext(ctx context.Context) (MD, bool) {
	md, ok := ctx.Value(mdIncomingKey{}).(MD)
	if !ok {
		return nil, false
	}
	out := MD{}
	for k, v := range md {
		out[strings.ToLower(k)] = v
	}
	return out, true
}

// ServerStream is a (stub) grpc.ServerStream. Context() is the RPC's context:
// it carries the client's deadline and is cancelled when the RPC ends.
type ServerStream interface {
	Context() context.Context
	SendMsg(m any) error
	RecvMsg(m any) error
}

// MethodFromServerStream returns the method string for the input stream (grpc.MethodFromServerStream).
func MethodFromServerStream(stream ServerStream) (string, bool) {
	m, ok := stream.Context().Value(methodKey{}).(string)
	return m, ok
}

// StreamHandler is grpc.StreamHandler.
type StreamHandler func(srv any, stream ServerStream) error

// ServerOption is a (stub) grpc.ServerOption.
type ServerOption func(*Server)

// Server is a (stub) grpc.Server; it dispatches every unknown method to the registered handler.
type Server struct {
	unknownStreamDesc StreamHandler
}

// UnknownServiceHandler mirrors grpc.UnknownServiceHandler.
func UnknownServiceHandler(streamHandler StreamHandler) ServerOption {
	return func(s *Server) { s.unknownStreamDesc = streamHandler }
}

// NewServer mirrors grpc.NewServer.
func NewServer(opt ...ServerOption) *Server {
	s := &Server{}
	for _, o := range opt {
		o(s)
	}
	return s
}

// HandleStream is what the grpc transport calls for each incoming RPC stream.
func (s *Server) HandleStream(stream ServerStream) error {
	return s.unknownStreamDesc(nil, stream)
}
