// Recall case sc-espv2-gcsretry
// Source: github.com/GoogleCloudPlatform/esp-v2 commit 60b31a98521e279cd731379d62f0dc918f34bb08 (src/go/gcsrunner/fetch_config.go)
// Link: https://github.com/GoogleCloudPlatform/esp-v2/commit/60b31a98521e279cd731379d62f0dc918f34bb08
// Bug: The retried op only stops on `err == context.DeadlineExceeded`, but the storage reader wraps the context error, so once the overall timeout expires every attempt fails with a wrapped deadline error and the backoff keeps retrying it as an ordinary error.
// Fix: Check ctx.Err() at the top of the retried op and end the backoff with the context error instead of comparing the returned error.
// Rule: swallowcancel
package gcsrunner

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"
)

// FetchConfigOptions provides a set of configurations when fetching and writing config files.
type FetchConfigOptions struct {
	BucketName                    string
	ConfigFileName                string
	WriteFilePath                 string
	FetchGCSObjectInitialInterval time.Duration
	FetchGCSObjectTimeout         time.Duration
}

type getObjectRequest struct {
	Bucket, Object string
}

type storageObjectReader interface {
	readObject(ctx context.Context, req getObjectRequest) (io.Reader, error)
}

// gcsObjectReader stands in for the cloud.google.com/go/storage client: it
// really issues the GET with the given ctx and wraps errors like the library.
type gcsObjectReader struct {
	client *http.Client
}

func (g *gcsObjectReader) readObject(ctx context.Context, req getObjectRequest) (io.Reader, error) {
	u := fmt.Sprintf("https://storage.googleapis.com/%s/%s", req.Bucket, req.Object)
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := g.client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("storage: reading object: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("storage: unexpected status %s", resp.Status)
	}
	return resp.Body, nil
}

var newStorageObjectReader = func(ctx context.Context) (storageObjectReader, error) {
	return &gcsObjectReader{client: &http.Client{}}, nil
}

// FetchConfigFromGCS handles fetching a config from GCS and writing it to file.
//
// Fetching the GCS object is retried either until success or until
// `opts.fetchGCSObjectTimeout` has passed.
func FetchConfigFromGCS(opts FetchConfigOptions) error {
	b, err := readBytes(opts)
	if err != nil {
		return fmt.Errorf("failed to get reader for object: %v", err)
	}
	if err := os.WriteFile(opts.WriteFilePath, b, 0o644); err != nil {
		return fmt.Errorf("failed to write data to file: %v", err)
	}
	return nil
}

func readBytes(opts FetchConfigOptions) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opts.FetchGCSObjectTimeout)
	defer cancel()

	client, err := newStorageObjectReader(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to create new storage client: %v", err)
	}
	ebo := newExponentialBackOff()
	ebo.InitialInterval = opts.FetchGCSObjectInitialInterval
	var reader io.Reader
	var retryErr error
	op := func() error {
		if err := ctx.Err(); err != nil {
			retryErr = err
			// return nil to end the backoff
			return nil
		}
		r, err := client.readObject(ctx, getObjectRequest{
			Bucket: opts.BucketName,
			Object: opts.ConfigFileName,
		})
		if err != nil {
			log.Printf("error getting reader for object (retrying): %v", err)
			return err
		}
		reader = r
		return nil
	}

	if err := retry(op, ebo); err != nil {
		return nil, err
	}

	if retryErr != nil {
		return nil, retryErr
	}

	return io.ReadAll(reader)
}
