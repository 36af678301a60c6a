// Recall case sc-ftl-consumeclaim
// Source: github.com/block/ftl commit af62a9c9574e647bfa1c1a97ae1ce4586c8db029 (backend/runner/pubsub/consumer.go)
// Link: https://github.com/block/ftl/commit/af62a9c9574e647bfa1c1a97ae1ce4586c8db029
// Bug: in ConsumeClaim a failed verb call that is a *connect.Error is retried (sleep 1 s, continue) before the session ctx is checked; when the session ctx is cancelled the call fails with a connect "canceled" error and the loop keeps retrying forever instead of stopping.
// Fix: the ctx.Done() check (return without committing) is moved before the connect-error retry branch, so a cancelled session stops retrying.
// Rule: swallowcancel
package pubsub

// Minimal stand-ins for connectrpc.com/connect (Error) and the FTL verb client.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
)

type Code string

const (
	CodeCanceled         Code = "canceled"
	CodeDeadlineExceeded Code = "deadline_exceeded"
	CodeUnavailable      Code = "unavailable"
	CodeUnknown          Code = "unknown"
)

// Error stands in for *connect.Error: every transport failure is wrapped in it.
type Error struct {
	code Code
	err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %v", e.code, e.err) }
func (e *Error) Unwrap() error { return e.err }
func (e *Error) Code() Code    { return e.code }

func wrapTransportError(err error) *Error {
	switch {
	case errors.Is(err, context.Canceled):
		return &Error{code: CodeCanceled, err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{code: CodeDeadlineExceeded, err: err}
	default:
		return &Error{code: CodeUnavailable, err: err}
	}
}

// VerbClient stands in for the ftlv1connect.VerbServiceClient used by the consumer.
type VerbClient struct {
	HTTP    *http.Client
	BaseURL string
}

func (v *VerbClient) Call(ctx context.Context, verb string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.BaseURL+"/xyz.block.ftl.v1.VerbService/Call?verb="+verb, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := v.HTTP.Do(req)
	if err != nil {
		return wrapTransportError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &Error{code: CodeUnknown, err: fmt.Errorf("verb %s failed: %s", verb, resp.Status)}
	}
	return nil
}
