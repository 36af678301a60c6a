// Recall case sc-connect-do-unavailable
// Source: github.com/connectrpc/connect-go commit 5cc109bed457bc9580fccc4a59d6cb230bfd5504 (duplex_http_call.go)
// Link: https://github.com/connectrpc/connect-go/commit/5cc109bed457bc9580fccc4a59d6cb230bfd5504
// Bug: duplexHTTPCall.makeRequest wraps every httpClient.Do error as NewError(CodeUnavailable, err), so a context.Canceled / DeadlineExceeded from the caller's ctx is reported as the retryable CodeUnavailable instead of Canceled / DeadlineExceeded (SetError then keeps that code).
// Fix: makeRequest first applies wrapIfContextError(err) and only falls back to CodeUnavailable when the error is not already a coded *Error.
// Rule: swallowcancel
package connect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// ---------------- code.go / error.go ----------------

// A Code is one of gRPC's canonical status codes.
type Code uint32

const (
	CodeCanceled         Code = 1
	CodeUnknown          Code = 2
	CodeDeadlineExceeded Code = 4
	CodeUnavailable      Code = 14
)

func (c Code) String() string {
	switch c {
	case CodeCanceled:
		return "canceled"
	case CodeDeadlineExceeded:
		return "deadline_exceeded"
	case CodeUnavailable:
		return "unavailable"
	}
	return fmt.Sprintf("code_%d", uint32(c))
}

// An Error captures four key pieces of information: a Code, an underlying Go
// error, a map of metadata, and an optional collection of arbitrary Protobuf
// messages called "details". (Details and metadata cut.)
type Error struct {
	code Code
	err  error
}

// NewError annotates any Go error with a status code.
func NewError(c Code, underlying error) *Error {
	return &Error{code: c, err: underlying}
}

// AsError uses errors.As to unwrap any error and look for an *Error.
func AsError(err error) (*Error, bool) {
	var connectErr *Error
	ok := errors.As(err, &connectErr)
	return connectErr, ok
}

func (e *Error) Error() string {
	if e.err == nil {
		return e.code.String()
	}
	return e.code.String() + ": " + e.err.Error()
}

func (e *Error) Unwrap() error { return e.err }

// Code returns the error's status code.
func (e *Error) Code() Code { return e.code }

// wrapIfContextError applies CodeCanceled or CodeDeadlineExceeded to Go's
// context.Canceled and context.DeadlineExceeded errors, but only if they
// haven't already been wrapped.
func wrapIfContextError(err error) error {
	if _, ok := AsError(err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return NewError(CodeCanceled, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return NewError(CodeDeadlineExceeded, err)
	}
	return err
}

// ---------------- client.go (reduced) ----------------

// HTTPClient is the interface connect expects HTTP clients to implement.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// CallUnary is a reduced unary call: send the request message, close the
// request body, read the response message.
func CallUnary(ctx context.Context, httpClient HTTPClient, url string, request []byte) ([]byte, error) {
	call := newDuplexHTTPCall(ctx, httpClient, url, http.Header{"Content-Type": []string{"application/proto"}})
	if _, err := call.Write(request); err != nil {
		return nil, err
	}
	if err := call.CloseWrite(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, call); err != nil {
		return nil, err
	}
	return buf.Bytes(), call.CloseRead()
}

// ---------------- duplex_http_call.go ----------------

// duplexHTTPCall is a full-duplex stream between the client and server. The
// request body is the stream from client to server, and the response body is
// the reverse.
type duplexHTTPCall struct {
	ctx        context.Context
	httpClient HTTPClient

	requestBodyReader *io.PipeReader
	requestBodyWriter *io.PipeWriter

	sendRequestOnce sync.Once
	responseReady   chan struct{}
	request         *http.Request
	response        *http.Response

	errMu sync.Mutex
	err   error
}

func newDuplexHTTPCall(
	ctx context.Context,
	httpClient HTTPClient,
	url string,
	header http.Header,
) *duplexHTTPCall {
	pipeReader, pipeWriter := io.Pipe()
	request, err := http.NewRequestWithContext(
		ctx,
		http.MethodPost,
		url,
		pipeReader,
	)
	client := &duplexHTTPCall{
		ctx:               ctx,
		httpClient:        httpClient,
		requestBodyReader: pipeReader,
		requestBodyWriter: pipeWriter,
		request:           request,
		responseReady:     make(chan struct{}),
	}
	if err != nil {
		// We can't construct a request, so we definitely can't send it over the
		// network. Exhaust the sync.Once immediately and short-circuit Read and
		// Write by setting an error.
		client.sendRequestOnce.Do(func() {})
		client.SetError(NewError(CodeUnavailable, fmt.Errorf("construct *http.Request: %w", err)))
		return client
	}
	request.Header = header
	return client
}

// Write to the request body.
func (d *duplexHTTPCall) Write(data []byte) (int, error) {
	d.ensureRequestMade()
	// Before we send any data, check if the context has been canceled.
	if err := d.ctx.Err(); err != nil {
		d.SetError(err)
		return 0, wrapIfContextError(err)
	}
	bytesWritten, err := d.requestBodyWriter.Write(data)
	if err != nil && errors.Is(err, io.ErrClosedPipe) {
		return bytesWritten, io.EOF
	}
	return bytesWritten, err
}

// CloseWrite closes the request body.
func (d *duplexHTTPCall) CloseWrite() error {
	d.ensureRequestMade()
	return d.requestBodyWriter.Close()
}

// Read from the response body. Returns the first error passed to SetError.
func (d *duplexHTTPCall) Read(data []byte) (int, error) {
	// First, we wait until we've gotten the response headers and established the
	// server-to-client side of the stream.
	d.BlockUntilResponseReady()
	if err := d.getError(); err != nil {
		// The stream is already closed or corrupted.
		return 0, err
	}
	// Before we read, check if the context has been canceled.
	if err := d.ctx.Err(); err != nil {
		d.SetError(err)
		return 0, wrapIfContextError(err)
	}
	return d.response.Body.Read(data)
}

func (d *duplexHTTPCall) CloseRead() error {
	d.BlockUntilResponseReady()
	if d.response == nil {
		return nil
	}
	return d.response.Body.Close()
}

// SetError stores any error encountered processing the response. All
// subsequent calls to Read return this error.
func (d *duplexHTTPCall) SetError(err error) {
	d.errMu.Lock()
	if d.err == nil {
		d.err = wrapIfContextError(err)
	}
	d.errMu.Unlock()

	// We've already hit an error, so we should stop writing to the request body.
	_ = d.requestBodyReader.Close()
}

func (d *duplexHTTPCall) BlockUntilResponseReady() {
	<-d.responseReady
}

func (d *duplexHTTPCall) ensureRequestMade() {
	d.sendRequestOnce.Do(func() {
		go d.makeRequest()
	})
}

func (d *duplexHTTPCall) makeRequest() {
	// This runs concurrently with Write and CloseWrite. Read and CloseRead wait
	// on d.responseReady, so we can't race with them.
	defer close(d.responseReady)

	// Once we send a message to the server, they send a message back and
	// establish the receive side of the stream.
	response, err := d.httpClient.Do(d.request)
	if err != nil {
		err = wrapIfContextError(err)
		if _, ok := AsError(err); !ok {
			err = NewError(CodeUnavailable, err)
		}
		d.SetError(err)
		return
	}
	d.response = response
}

func (d *duplexHTTPCall) getError() error {
	d.errMu.Lock()
	defer d.errMu.Unlock()
	return d.err
}
