// Package grpc is a stub of google.golang.org/grpc for tests.
package grpc

import "context"

type CallOption interface{ isCallOption() }
type ClientConn struct{}

func (cc *ClientConn) Invoke(ctx context.Context, method string, args, reply any, opts ...CallOption) error {
	return nil
}

type StreamDesc struct{}
type ClientStream interface{ CloseSend() error }

func (cc *ClientConn) NewStream(ctx context.Context, desc *StreamDesc, method string, opts ...CallOption) (ClientStream, error) {
	return nil, nil
}
