// Recall case sc-m3-cancelledquery
// Source: github.com/m3db/m3 commit 613bb26084f1a1244b353f54f4e0a0cf9d2988c0 (src/dbnode/storage/index/block.go)
// Link: https://github.com/m3db/m3/commit/613bb26084f1a1244b353f54f4e0a0cf9d2988c0
// Bug: block.QueryWithIter returns the package sentinel ErrCancelledQuery (errors.New) when ctx.GoContext() is done, and nsIndex.queryWithSpan adds the same sentinel when the worker pool refuses work, so context.Canceled/DeadlineExceeded is replaced by an unrelated error and ToRPCError reports an internal error instead of a timeout.
// Fix: QueryWithIter returns ctx.GoContext().Err(), queryWithSpan records context.Canceled and checks for Canceled/DeadlineExceeded, ErrCancelledQuery is removed, and ToRPCError maps context errors to a timeout error.
// Rule: swallowcancel
package index

// RPCError is the reduced thrift rpc.Error.
type RPCError struct {
	Type    string
	Message string
	Flags   int64
}

func (e *RPCError) Error() string { return e.Message }

const (
	errorFlagsNone          int64 = 0
	errorFlagsServerTimeout int64 = 2
)

// NewInternalError creates a new internal error.
func NewInternalError(err error) *RPCError {
	return &RPCError{Type: "INTERNAL_ERROR", Message: err.Error(), Flags: errorFlagsNone}
}

// ToRPCError converts a server error to a RPC error (tchannelthrift/convert).
func ToRPCError(err error) *RPCError {
	if err == nil {
		return nil
	}
	return NewInternalError(err)
}

// FetchTagged is the RPC handler path: run the index query and convert its error.
func FetchTagged(ctx Context, idx *nsIndex, opts QueryOptions) (int, *RPCError) {
	results, _, err := idx.Query(ctx, opts)
	if err != nil {
		return 0, ToRPCError(err)
	}
	return results.Size(), nil
}
