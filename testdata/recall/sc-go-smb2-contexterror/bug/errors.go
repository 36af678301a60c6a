// Recall case sc-go-smb2-contexterror
// Source: github.com/CloudSoda/go-smb2 commit fc258e36e84b4a72f6c2038190fa34c84f16f925 (conn.go)
// Link: https://github.com/CloudSoda/go-smb2/commit/fc258e36e84b4a72f6c2038190fa34c84f16f925
// Bug: Every context error (send, recv, credit loan) is replaced by a custom &ContextError{Err: ctx.Err()} that has no Unwrap method, so callers checking errors.Is(err, context.Canceled/DeadlineExceeded) never see the cancellation.
// Fix: Remove ContextError and return ctx.Err() directly at every cancellation site.
// Rule: swallowcancel
package smb2

import (
	"context"
)

// ContextError wraps a context error to support os.IsTimeout function.
type ContextError struct {
	Err error
}

func (err *ContextError) Timeout() bool {
	return err.Err == context.DeadlineExceeded
}

func (err *ContextError) Error() string {
	return err.Err.Error()
}
