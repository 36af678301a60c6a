// Recall case sc-etcd-togrpcerror
// Source: github.com/etcd-io/etcd commit f48fe8ecda44f14b8f6f7e7b96d83de83dad6eff (etcdserver/api/v3rpc/util.go)
// Link: https://github.com/etcd-io/etcd/pull/8824
// Bug: togRPCError turns context.Canceled/DeadlineExceeded from the server into a codes.Unknown status built from err.Error(), losing the cancellation.
// Fix: context errors are returned unchanged so the gRPC layer maps them to Canceled/DeadlineExceeded.
// Rule: swallowcancel
package v3rpc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// statusError stands in for *status.Status errors; it has no Unwrap.
type statusError struct {
	code string
	msg  string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("rpc error: code = %s desc = %s", e.code, e.msg)
}

func statusErr(code, msg string) error { return &statusError{code: code, msg: msg} }

var (
	errCompacted     = errors.New("mvcc: required revision has been compacted")
	errGRPCCompacted = statusErr("OutOfRange", "etcdserver: mvcc: required revision has been compacted")
)

var toGRPCErrorMap = map[error]error{
	errCompacted: errGRPCCompacted,
}

func togRPCError(err error) error {
	// let gRPC server convert to codes.Canceled, codes.DeadlineExceeded
	if err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	grpcErr, ok := toGRPCErrorMap[err]
	if !ok {
		return statusErr("Unknown", err.Error())
	}
	return grpcErr
}

type RangeRequest struct{ Key string }
type RangeResponse struct{ Count int64 }

// etcdServer stands in for *etcdserver.EtcdServer; it returns ctx.Err() when ctx ends.
type etcdServer struct{ peerURL string }

func (s *etcdServer) Range(ctx context.Context, r *RangeRequest) (*RangeResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.peerURL+"/range/"+r.Key, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, err
	}
	resp.Body.Close()
	return &RangeResponse{}, nil
}

type kvServer struct{ kv *etcdServer }

func (s *kvServer) Range(ctx context.Context, r *RangeRequest) (*RangeResponse, error) {
	resp, err := s.kv.Range(ctx, r)
	if err != nil {
		return nil, togRPCError(err)
	}
	return resp, nil
}
