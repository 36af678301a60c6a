// Package pb looks like protoc-gen-go-grpc output (without its header, so it is not skipped as generated).
package pb

import (
	"context"

	"google.golang.org/grpc"
)

type HelloRequest struct{}
type HelloReply struct{}

type GreeterClient interface {
	SayHello(ctx context.Context, in *HelloRequest, opts ...grpc.CallOption) (*HelloReply, error)
}
