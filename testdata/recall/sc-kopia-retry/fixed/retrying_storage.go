// Recall case sc-kopia-retry
// Source: github.com/kopia/kopia commit b7a4fa56bf3ec7fbb42bbd89fd3f0b33a2ff6d5a (internal/retry/retry.go)
// Link: https://github.com/kopia/kopia/commit/b7a4fa56bf3ec7fbb42bbd89fd3f0b33a2ff6d5a
// Bug: internalRetry (used by retryingStorage.GetBlob via WithExponentialBackoffNoValue) keeps retrying attempts that fail with context.Canceled/DeadlineExceeded (isRetriable says yes) and finally returns errors.Errorf("... last error: %v"), so the cancellation is retried and then replaced by an unwrapped error.
// Fix: internalRetry checks ctx.Err() before every attempt and returns the context error as-is (kopia issue #1377).
// Rule: swallowcancel
package retrying

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Errors returned by blob storage (repo/blob).
var (
	ErrBlobNotFound       = errors.New("BLOB not found")
	ErrInvalidRange       = errors.New("invalid blob offset or length")
	ErrSetTimeUnsupported = errors.New("SetTime is not supported")
)

// Storage is the subset of blob.Storage used here.
type Storage interface {
	GetBlob(ctx context.Context, id string, offset, length int64, output *bytes.Buffer) error
}

// retryingStorage adds retry loop around all operations of the underlying storage.
type retryingStorage struct {
	Storage
}

func (s retryingStorage) GetBlob(ctx context.Context, id string, offset, length int64, output *bytes.Buffer) error {
	return WithExponentialBackoffNoValue(ctx, fmt.Sprintf("GetBlob(%v,%v,%v)", id, offset, length), func() error {
		output.Reset()

		return s.Storage.GetBlob(ctx, id, offset, length, output)
	}, isRetriable)
}

// NewWrapper returns a Storage wrapper that adds retry loop around all operations of the underlying storage.
func NewWrapper(wrapped Storage) Storage {
	return &retryingStorage{Storage: wrapped}
}

func isRetriable(err error) bool {
	switch {
	case errors.Is(err, ErrBlobNotFound):
		return false

	case errors.Is(err, ErrInvalidRange):
		return false

	case errors.Is(err, ErrSetTimeUnsupported):
		return false

	default:
		return true
	}
}

// httpStorage is a stand-in for an HTTP-backed provider (S3/GCS/WebDAV): each GetBlob
// is one ranged GET bound to ctx on a client with an overall Timeout.
type httpStorage struct {
	baseURL string
	client  *http.Client
}

// NewHTTPStorage returns an HTTP-backed storage.
func NewHTTPStorage(baseURL string) Storage {
	return &httpStorage{baseURL: baseURL, client: &http.Client{Timeout: time.Minute}}
}

func (h *httpStorage) GetBlob(ctx context.Context, id string, offset, length int64, output *bytes.Buffer) error {
	if offset < 0 {
		return ErrInvalidRange
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.baseURL+"/"+id, http.NoBody)
	if err != nil {
		return err
	}
	if length >= 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", offset, offset+length-1))
	}

	resp, err := h.client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %v: %w", id, err)
	}
	defer resp.Body.Close()

	switch resp.StatusCode {
	case http.StatusOK, http.StatusPartialContent:
	case http.StatusNotFound:
		return ErrBlobNotFound
	case http.StatusRequestedRangeNotSatisfiable:
		return ErrInvalidRange
	default:
		return fmt.Errorf("GET %v: unexpected status %v", id, resp.StatusCode)
	}

	if _, err := io.Copy(output, resp.Body); err != nil {
		return fmt.Errorf("read %v: %w", id, err)
	}
	return nil
}
