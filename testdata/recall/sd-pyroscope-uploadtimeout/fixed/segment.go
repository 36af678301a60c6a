// Recall case sd-pyroscope-uploadtimeout
// Source: github.com/grafana/pyroscope commit 5ef35aa1ffdc68b3d10b6feb1f6b919764853169 (pkg/experiment/ingester/segment.go)
// Link: https://github.com/grafana/pyroscope/commit/5ef35aa1ffdc68b3d10b6feb1f6b919764853169
// Bug: segmentsWriter.uploadBlock applies UploadTimeout per attempt inside uploadWithTimeout (a fresh context.WithTimeout for every retry and for the hedged attempt), so retries + backoff + hedging of one segment upload are not bounded by a single deadline and segment.flush can run far past the configured upload timeout.
// Fix: uploadWithTimeout is removed; uploadBlock wraps ctx once with context.WithTimeout(ctx, UploadTimeout) that all hedged attempts and retries share, and the retry loop also stops when ctx.Err() != nil.
// Rule: sharedeadline
package ingester

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"time"
)

// Config is the reduced ingester Config (upload settings only).
type Config struct {
	UploadTimeout    time.Duration
	UploadMaxRetries int
	UploadMinBackoff time.Duration
	UploadMaxBackoff time.Duration
	UploadHedgeAfter time.Duration
}

type segmentsWriter struct {
	config Config
	bucket *Bucket
	logger *log.Logger
}

type segment struct {
	sw        *segmentsWriter
	ulid      string
	blockData []byte
	doneChan  chan struct{}
	flushErr  error
}

func (s *segment) flush(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			s.flushErr = err
		}
		close(s.doneChan)
	}()

	if len(s.blockData) == 0 {
		return nil
	}
	if err = s.sw.uploadBlock(ctx, s.blockData, s.ulid); err != nil {
		return fmt.Errorf("failed to upload block %s: %w", s.ulid, err)
	}
	return nil
}

func (sw *segmentsWriter) uploadBlock(ctx context.Context, blockData []byte, ulid string) error {
	uploadStart := time.Now()
	var err error

	path := "segments/" + ulid + "/block.bin"

	if sw.config.UploadTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, sw.config.UploadTimeout)
		defer cancel()
	}

	// To mitigate tail latency issues, we use a hedged upload strategy:
	// if the request is not completed within a certain time, we trigger
	// a second upload attempt. Upload errors are retried explicitly and
	// are included into the call duration.
	uploadWithRetry := func(ctx context.Context, hedge bool) (any, error) {
		retryConfig := BackoffConfig{
			MinBackoff: sw.config.UploadMinBackoff,
			MaxBackoff: sw.config.UploadMaxBackoff,
			MaxRetries: sw.config.UploadMaxRetries,
		}
		var attemptErr error
		if hedge {
			// Hedged requests are not retried.
			retryConfig.MaxRetries = 1
		}
		// Retry on all errors.
		retries := NewBackoff(ctx, retryConfig)
		for retries.Ongoing() && ctx.Err() == nil {
			if attemptErr = sw.bucket.Upload(ctx, path, bytes.NewReader(blockData)); attemptErr == nil {
				break
			}
			retries.Wait()
		}
		return nil, attemptErr
	}

	hedgedUpload := Hedged[any]{
		Call:     uploadWithRetry,
		Trigger:  time.After(sw.config.UploadHedgeAfter),
		FailFast: false,
	}

	if _, err = hedgedUpload.Do(ctx); err != nil {
		return err
	}

	sw.logger.Printf("uploaded block path=%s upload_duration=%s", path, time.Since(uploadStart))
	return nil
}
