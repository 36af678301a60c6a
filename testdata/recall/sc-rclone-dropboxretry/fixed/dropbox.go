// Recall case sc-rclone-dropboxretry
// Source: github.com/rclone/rclone commit e0701daea005c9bf65e573ad416c711d23d3a2b1 (backend/dropbox/dropbox.go)
// Link: https://github.com/rclone/rclone/commit/e0701daea005c9bf65e573ad416c711d23d3a2b1
// Bug: in Object.uploadChunked the append closure passed to pacer.Call returns (err != nil, err) for every error once the session started, so a context.Canceled/DeadlineExceeded from UploadSessionAppendV2Context is retried through all low-level retries instead of ending the upload.
// Fix: before returning, the closure checks fserrors.ContextError(ctx, &err) and returns (false, err) so a cancelled context is not retried.
// Rule: swallowcancel
package dropbox

import (
	"context"
	"fmt"
	"io"
	"log"
	"strings"
)

// Fs represents a remote dropbox server
type Fs struct {
	srv       *filesClient // the connection to the dropbox server
	pacer     *Pacer       // To pace the API calls
	chunkSize int64
}

// Object describes a dropbox object
type Object struct {
	fs     *Fs
	remote string
}

// Some specific errors which should be excluded from retries
func shouldRetryExclude(ctx context.Context, err error) (bool, error) {
	if err == nil {
		return false, err
	}
	if ContextError(ctx, &err) {
		return false, err
	}
	errString := err.Error()
	if strings.Contains(errString, "insufficient_space") {
		return false, err
	} else if strings.Contains(errString, "malformed_path") {
		return false, err
	}
	return true, err
}

// shouldRetry returns a boolean as to whether this err deserves to be
// retried.  It returns the err as a convenience
func shouldRetry(ctx context.Context, err error) (bool, error) {
	if retry, err := shouldRetryExclude(ctx, err); !retry {
		return retry, err
	}
	errString := err.Error()
	if strings.Contains(errString, "too_many_write_operations") || strings.Contains(errString, "too_many_requests") || errString == "" {
		return true, err
	}
	return false, err
}

// uploadChunked uploads the object in parts
func (o *Object) uploadChunked(ctx context.Context, in0 io.Reader, commitInfo *CommitInfo, size int64) (entry *FileMetadata, err error) {
	// start upload
	var res *UploadSessionStartResult
	err = o.fs.pacer.Call(func() (bool, error) {
		res, err = o.fs.srv.UploadSessionStartContext(ctx, &UploadSessionStartArg{}, nil)
		return shouldRetry(ctx, err)
	})
	if err != nil {
		return nil, err
	}

	chunkSize := o.fs.chunkSize
	chunks, remainder := size/chunkSize, size%chunkSize
	if remainder > 0 {
		chunks++
	}

	// write chunks
	in := NewCountingReader(in0)
	bufSize := chunkSize
	if size >= 0 && size < bufSize {
		bufSize = size
	}
	buf := make([]byte, int(bufSize))
	cursor := UploadSessionCursor{
		SessionId: res.SessionId,
		Offset:    0,
	}
	appendArg := UploadSessionAppendArg{
		Cursor: &cursor,
		Close:  size >= 0 && size <= chunkSize,
	}
	for currentChunk := 1; ; currentChunk++ {
		cursor.Offset = in.BytesRead()

		if chunks < 0 {
			log.Printf("%s: Streaming chunk %d/unknown", o.remote, currentChunk)
		} else {
			log.Printf("%s: Uploading chunk %d/%d", o.remote, currentChunk, chunks)
		}

		chunk := NewRepeatableLimitReaderBuffer(in, buf, chunkSize)
		skip := int64(0)
		err = o.fs.pacer.Call(func() (bool, error) {
			// seek to the start in case this is a retry
			if _, err = chunk.Seek(skip, io.SeekStart); err != nil {
				return false, err
			}
			err = o.fs.srv.UploadSessionAppendV2Context(ctx, &appendArg, chunk)
			// after session is started, we retry everything
			if err != nil {
				// Check for incorrect offset error and retry with new offset
				if uErr, ok := err.(UploadSessionAppendV2APIError); ok {
					if uErr.EndpointError != nil && uErr.EndpointError.IncorrectOffset != nil {
						correctOffset := uErr.EndpointError.IncorrectOffset.CorrectOffset
						delta := int64(correctOffset) - int64(cursor.Offset)
						skip += delta
						what := fmt.Sprintf("incorrect offset error received: sent %d, need %d, skip %d", cursor.Offset, correctOffset, skip)
						if skip < 0 {
							return false, fmt.Errorf("can't seek backwards to correct offset: %s", what)
						} else if skip == chunkSize {
							log.Printf("%s: %s: chunk received OK - continuing", o.remote, what)
							return false, nil
						} else if skip > chunkSize {
							// This error should never happen
							return false, fmt.Errorf("can't seek forwards by more than a chunk to correct offset: %s", what)
						}
						// Skip the sent data on next retry
						cursor.Offset = uint64(int64(cursor.Offset) + delta)
						log.Printf("%s: %s: skipping bytes on retry to fix offset", o.remote, what)
					}
				}
			}
			// Don't waste the low level retries if the context has
			// been cancelled
			if ContextError(ctx, &err) {
				return false, err
			}
			return err != nil, err
		})
		if err != nil {
			return nil, err
		}
		if size >= 0 {
			// Check for sources which truncate early
			expected := min(uint64(currentChunk)*uint64(chunkSize), uint64(size))
			if in.BytesRead() < expected {
				return nil, fmt.Errorf("expected %d bytes in input, but only read %d: %w", size, in.BytesRead(), io.ErrUnexpectedEOF)
			}
		}
		if appendArg.Close {
			break
		}

		if size > 0 {
			// if size is known, check if next chunk is final
			appendArg.Close = uint64(size)-in.BytesRead() <= uint64(chunkSize)
			if in.BytesRead() > uint64(size) {
				return nil, fmt.Errorf("expected %d bytes in input, but have read %d so far", size, in.BytesRead())
			}
		} else {
			// if size is unknown, upload as long as we can read full chunks from the reader
			appendArg.Close = in.BytesRead()-cursor.Offset < uint64(chunkSize)
		}
	}

	// finish upload
	cursor.Offset = in.BytesRead()
	args := &UploadSessionFinishArg{
		Cursor: &cursor,
		Commit: commitInfo,
	}
	err = o.fs.pacer.Call(func() (bool, error) {
		entry, err = o.fs.srv.UploadSessionFinishContext(ctx, args, nil)
		if retry, err := shouldRetryExclude(ctx, err); !retry {
			return retry, err
		}
		// after the first chunk is uploaded, we retry everything except the excluded errors
		return err != nil, err
	})
	if err != nil {
		return nil, err
	}
	return entry, nil
}

// Update the object with the contents of the io.Reader (reduced: always chunked)
func (o *Object) Update(ctx context.Context, in io.Reader, size int64) error {
	commitInfo := &CommitInfo{Path: "/" + o.remote, Mode: "overwrite"}
	_, err := o.uploadChunked(ctx, in, commitInfo, size)
	if err != nil {
		return fmt.Errorf("upload failed: %w", err)
	}
	return nil
}
