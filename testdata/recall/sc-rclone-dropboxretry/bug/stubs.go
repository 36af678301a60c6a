// Recall case sc-rclone-dropboxretry
// Source: github.com/rclone/rclone commit e0701daea005c9bf65e573ad416c711d23d3a2b1 (backend/dropbox/dropbox.go)
// Link: https://github.com/rclone/rclone/commit/e0701daea005c9bf65e573ad416c711d23d3a2b1
// Bug: in Object.uploadChunked the append closure passed to pacer.Call returns (err != nil, err) for every error once the session started, so a context.Canceled/DeadlineExceeded from UploadSessionAppendV2Context is retried through all low-level retries instead of ending the upload.
// Fix: before returning, the closure checks fserrors.ContextError(ctx, &err) and returns (false, err) so a cancelled context is not retried.
// Rule: swallowcancel
package dropbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// ---- stand-in for lib/pacer (fs.Pacer) ----

// Paced is a function which is called by the Call and CallNoRetry
// methods. It should return a boolean, true if it would like to be
// retried, and an error.
type Paced func() (bool, error)

// Pacer retries fn while it asks to be retried, up to retries times
// (the real pacer also rate-limits between attempts).
type Pacer struct {
	retries int
}

// Call paces the remote operations and retries on request.
func (p *Pacer) Call(fn Paced) (err error) {
	var retry bool
	for i := 1; i <= p.retries; i++ {
		retry, err = fn()
		if !retry {
			break
		}
	}
	return err
}

// ---- stand-in for fs/fserrors ----

// ContextError checks to see if ctx is in error.
//
// If it is in error then it overwrites *perr with the context error
// if *perr was nil and returns true.
//
// Otherwise it returns false.
func ContextError(ctx context.Context, perr *error) bool {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if *perr == nil {
			*perr = ctxErr
		}
		return true
	}
	return false
}

// ---- stand-in for lib/readers ----

// CountingReader counts the bytes read through it.
type CountingReader struct {
	in    io.Reader
	total uint64
}

// NewCountingReader returns a CountingReader wrapping in.
func NewCountingReader(in io.Reader) *CountingReader {
	return &CountingReader{in: in}
}

func (cr *CountingReader) Read(b []byte) (int, error) {
	n, err := cr.in.Read(b)
	cr.total += uint64(n)
	return n, err
}

// BytesRead returns how many bytes have been read.
func (cr *CountingReader) BytesRead() uint64 {
	return cr.total
}

// RepeatableReader buffers up to limit bytes of in so it can be re-read.
type RepeatableReader struct {
	in     io.Reader
	buf    []byte
	limit  int64
	filled bool
	r      *bytes.Reader
}

// NewRepeatableLimitReaderBuffer returns a seekable reader over the next
// limit bytes of in, using buf as storage.
func NewRepeatableLimitReaderBuffer(in io.Reader, buf []byte, limit int64) *RepeatableReader {
	return &RepeatableReader{in: in, buf: buf, limit: limit}
}

func (rr *RepeatableReader) fill() error {
	if rr.filled {
		return nil
	}
	n, err := io.ReadFull(io.LimitReader(rr.in, rr.limit), rr.buf[:min(int64(len(rr.buf)), rr.limit)])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return err
	}
	rr.r = bytes.NewReader(rr.buf[:n])
	rr.filled = true
	return nil
}

func (rr *RepeatableReader) Read(b []byte) (int, error) {
	if err := rr.fill(); err != nil {
		return 0, err
	}
	return rr.r.Read(b)
}

// Seek seeks within the buffered chunk.
func (rr *RepeatableReader) Seek(offset int64, whence int) (int64, error) {
	if err := rr.fill(); err != nil {
		return 0, err
	}
	return rr.r.Seek(offset, whence)
}

// ---- stand-in for the dropbox SDK files.Client (context variants) ----

type UploadSessionStartArg struct {
	Close bool `json:"close"`
}

type UploadSessionStartResult struct {
	SessionId string `json:"session_id"`
}

type UploadSessionCursor struct {
	SessionId string `json:"session_id"`
	Offset    uint64 `json:"offset"`
}

type UploadSessionAppendArg struct {
	Cursor *UploadSessionCursor `json:"cursor"`
	Close  bool                 `json:"close"`
}

type CommitInfo struct {
	Path string `json:"path"`
	Mode string `json:"mode"`
}

type UploadSessionFinishArg struct {
	Cursor *UploadSessionCursor `json:"cursor"`
	Commit *CommitInfo          `json:"commit"`
}

type FileMetadata struct {
	Name string `json:"name"`
	Size uint64 `json:"size"`
}

type UploadSessionOffsetError struct {
	CorrectOffset uint64 `json:"correct_offset"`
}

type UploadSessionAppendError struct {
	IncorrectOffset *UploadSessionOffsetError `json:"incorrect_offset"`
}

// UploadSessionAppendV2APIError is returned for a 409 from append_v2.
type UploadSessionAppendV2APIError struct {
	ErrorSummary  string                    `json:"error_summary"`
	EndpointError *UploadSessionAppendError `json:"error"`
}

func (e UploadSessionAppendV2APIError) Error() string {
	return e.ErrorSummary
}

// filesClient performs content-upload style RPCs like the SDK does:
// POST with a Dropbox-API-Arg header, the request bound to ctx.
type filesClient struct {
	client  *http.Client
	baseURL string
}

func (c *filesClient) contentRPC(ctx context.Context, route string, arg any, content io.Reader, out any) error {
	argJSON, err := json.Marshal(arg)
	if err != nil {
		return err
	}
	if content == nil {
		content = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+route, content)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Dropbox-API-Arg", string(argJSON))
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		if out == nil {
			return nil
		}
		return json.Unmarshal(body, out)
	case http.StatusConflict:
		if route == "/2/files/upload_session/append_v2" {
			var apiErr UploadSessionAppendV2APIError
			if err := json.Unmarshal(body, &apiErr); err != nil {
				return err
			}
			return apiErr
		}
		return fmt.Errorf("%s: %s", route, body)
	default:
		return fmt.Errorf("%s: %s: %s", route, resp.Status, body)
	}
}

func (c *filesClient) UploadSessionStartContext(ctx context.Context, arg *UploadSessionStartArg, content io.Reader) (*UploadSessionStartResult, error) {
	var res UploadSessionStartResult
	if err := c.contentRPC(ctx, "/2/files/upload_session/start", arg, content, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

func (c *filesClient) UploadSessionAppendV2Context(ctx context.Context, arg *UploadSessionAppendArg, content io.Reader) error {
	return c.contentRPC(ctx, "/2/files/upload_session/append_v2", arg, content, nil)
}

func (c *filesClient) UploadSessionFinishContext(ctx context.Context, arg *UploadSessionFinishArg, content io.Reader) (*FileMetadata, error) {
	var res FileMetadata
	if err := c.contentRPC(ctx, "/2/files/upload_session/finish", arg, content, &res); err != nil {
		return nil, err
	}
	return &res, nil
}
