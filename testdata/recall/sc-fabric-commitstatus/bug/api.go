// Recall case sc-fabric-commitstatus
// Source: github.com/hyperledger/fabric commit 5113aa910b9c8aca8a8162d56d657d7d3a7238c0 (internal/pkg/gateway/api.go, internal/pkg/gateway/apiutils.go)
// Link: https://github.com/hyperledger/fabric/commit/5113aa910b9c8aca8a8162d56d657d7d3a7238c0
// Bug: CommitStatus turns every error from commitFinder.TransactionStatus, including the context.Canceled / context.DeadlineExceeded returned when the client cancels or times out, into a brand-new FailedPrecondition status error built from err.Error(), so the cancellation is reported as a precondition failure.
// Fix: errors go through toRpcError, which keeps existing status errors and maps context errors to Canceled / DeadlineExceeded codes, using FailedPrecondition only for other errors.
// Rule: swallowcancel
package gateway

import (
	"context"
	"errors"
	"fmt"
)

// Code stands in for google.golang.org/grpc/codes.Code.
type Code int

const (
	OK                 Code = 0
	Canceled           Code = 1
	Unknown            Code = 2
	InvalidArgument    Code = 3
	DeadlineExceeded   Code = 4
	PermissionDenied   Code = 7
	FailedPrecondition Code = 9
	Aborted            Code = 10
)

// statusError stands in for a gRPC *status.Status error.
type statusError struct {
	code Code
	msg  string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("rpc error: code = %d desc = %s", e.code, e.msg)
}

// newStatusError stands in for status.Error.
func newStatusError(code Code, msg string) error {
	return &statusError{code: code, msg: msg}
}

// Status is the commit status of a transaction.
type Status struct {
	BlockNumber   uint64
	TransactionID string
	Code          int32
}

// CommitFinder finds the commit status of a transaction.
type CommitFinder interface {
	TransactionStatus(ctx context.Context, channelName string, transactionID string) (*Status, error)
}

// QueryProvider provides status of previously committed transactions on a given channel.
type QueryProvider interface {
	TransactionStatus(channelName string, transactionID string) (int32, uint64, error)
}

// Finder is used to obtain transaction status. It blocks until the
// transaction commits or the context is done.
type Finder struct {
	query  QueryProvider
	notify func(done <-chan struct{}, channelName, transactionID string) (<-chan *Status, error)
}

// TransactionStatus provides status of a specified transaction on a given channel.
func (finder *Finder) TransactionStatus(ctx context.Context, channelName string, transactionID string) (*Status, error) {
	notifyDone := make(chan struct{})
	defer close(notifyDone)
	statusReceive, err := finder.notify(notifyDone, channelName, transactionID)
	if err != nil {
		return nil, err
	}

	if code, blockNumber, err := finder.query.TransactionStatus(channelName, transactionID); err == nil {
		return &Status{BlockNumber: blockNumber, TransactionID: transactionID, Code: code}, nil
	}

	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case status, ok := <-statusReceive:
		if !ok {
			return nil, errors.New("unexpected close of commit notification channel")
		}
		return status, nil
	}
}

// CommitStatusRequest is the decoded request.
type CommitStatusRequest struct {
	ChannelId     string
	TransactionId string
}

// CommitStatusResponse is the response.
type CommitStatusResponse struct {
	Result      int32
	BlockNumber uint64
}

// Server is the gateway server.
type Server struct {
	commitFinder CommitFinder
}

func (gs *Server) CommitStatus(ctx context.Context, request *CommitStatusRequest) (*CommitStatusResponse, error) {
	if request == nil {
		return nil, newStatusError(InvalidArgument, "a commit status request is required")
	}

	txStatus, err := gs.commitFinder.TransactionStatus(ctx, request.ChannelId, request.TransactionId)
	if err != nil {
		return nil, newStatusError(FailedPrecondition, err.Error())
	}

	response := &CommitStatusResponse{
		Result:      txStatus.Code,
		BlockNumber: txStatus.BlockNumber,
	}
	return response, nil
}
