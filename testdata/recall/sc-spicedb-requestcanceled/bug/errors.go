// Recall case sc-spicedb-requestcanceled
// Source: github.com/authzed/spicedb commit 99534e21de209ad795960f105a10b2609800f4d6 (internal/graph/expand.go, internal/graph/errors.go)
// Link: https://github.com/authzed/spicedb/commit/99534e21de209ad795960f105a10b2609800f4d6
// Bug: when ctx is done, expandOne and expandSetOperation return NewRequestCanceledErr() (a fresh errors.New("request canceled")) instead of the context error, so callers cannot recognise context.Canceled/DeadlineExceeded and treat it as an unexpected graph error.
// Fix: return context.Canceled in the ctx.Done() branches and delete ErrRequestCanceled.
// Rule: swallowcancel
package graph

import "errors"

// ErrRequestCanceled occurs when a request has been canceled.
type ErrRequestCanceled struct {
	error
}

// NewRequestCanceledErr constructs a new request was canceled error.
func NewRequestCanceledErr() error {
	return ErrRequestCanceled{
		error: errors.New("request canceled"),
	}
}
