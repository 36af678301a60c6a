package patterns

import (
	"context"
	"errors"
)

// A cancellation hidden behind a constructor of a fresh error, inside a
// result struct that carries the error next to the value (spicedb's
// expandOne returned expandResultError(NewRequestCanceledErr()) when ctx
// was done; the fix returns context.Canceled).

type requestCanceledErr struct{ error }

func newRequestCanceledErr() error {
	return requestCanceledErr{error: errors.New("request canceled")}
}

type expandResult struct {
	Node string
	Err  error
}

func expandError(err error) expandResult { return expandResult{Err: err} }

func expandOne(ctx context.Context, results <-chan expandResult) expandResult {
	select {
	case r := <-results:
		return r
	case <-ctx.Done():
		return expandError(newRequestCanceledErr()) // want `patterns.newRequestCanceledErr\(\) replaces ctx's cancellation when it is done with an error that does not wrap it`
	}
}

func expandLiteral(ctx context.Context, results <-chan expandResult) expandResult {
	select {
	case r := <-results:
		return r
	case <-ctx.Done():
		return expandResult{Err: errors.New("request canceled")} // want `errors.New replaces ctx's cancellation when it is done`
	}
}

func expandFixed(ctx context.Context, results <-chan expandResult) expandResult {
	select {
	case r := <-results:
		return r
	case <-ctx.Done():
		return expandError(ctx.Err())
	}
}

func expandSentinel(ctx context.Context, results <-chan expandResult) expandResult {
	select {
	case r := <-results:
		return r
	case <-ctx.Done():
		return expandError(context.Canceled)
	}
}

// A constructor that wraps what it is given is no fresh error.
func wrapCanceled(err error) error { return requestCanceledErr{error: err} }

func waitWrapped(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return wrapCanceled(ctx.Err())
	}
}

// A struct with two error fields: which one the caller reads is unknown.
type twoErrors struct {
	First, Last error
}

func waitTwo(ctx context.Context, done <-chan struct{}) twoErrors {
	select {
	case <-done:
		return twoErrors{}
	case <-ctx.Done():
		return twoErrors{First: errors.New("canceled")}
	}
}

// A constructor given arguments (a status code and a message, as gRPC's
// status.Error(codes.Canceled, …)) may carry the cancellation in them: it
// is not judged as a fresh error.
type statusCodeError struct {
	code int
	msg  string
}

func (e *statusCodeError) Error() string { return e.msg }

const codeCanceled = 1

func statusError(code int, msg string) error { return &statusCodeError{code: code, msg: msg} }

func waitStatus(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return statusError(codeCanceled, ctx.Err().Error())
	}
}

// A literal called where it is written is no named constructor: judged as
// any call (it once made the analysis panic when taken for one).
func waitLiteral(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return func() error { return errors.New("canceled") }()
	}
}
