// Recall case sc-objstore-s3iter
// Source: github.com/thanos-io/objstore commit c307c4ca29d81c87f7f73fbb8a555bb06d685766 (providers/s3/s3.go)
// Link: https://github.com/thanos-io/objstore/commit/c307c4ca29d81c87f7f73fbb8a555bb06d685766
// Bug: Bucket.Iter ranges over minio ListObjects, which closes its channel without an error when ctx is cancelled, and then returns nil, so a cancelled listing looks like a successful (empty/partial) one.
// Fix: Iter returns ctx.Err() after the loop instead of nil.
// Rule: swallowcancel
package s3

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// DirDelim is the delimiter used to model a directory structure in an object store bucket.
const DirDelim = "/"

// ObjectInfo stands in for minio.ObjectInfo.
type ObjectInfo struct {
	Key string
	Err error
}

// ListObjectsOptions stands in for minio.ListObjectsOptions.
type ListObjectsOptions struct {
	Prefix    string
	Recursive bool
	UseV1     bool
}

// minioClient stands in for *minio.Client: ListObjects issues the list
// request with the caller's ctx and streams the results on a channel. Like
// minio-go, when ctx is done it just closes the channel without sending an
// error.
type minioClient struct {
	endpoint   string
	httpClient *http.Client
}

func (c *minioClient) ListObjects(ctx context.Context, bucket string, opts ListObjectsOptions) <-chan ObjectInfo {
	ch := make(chan ObjectInfo, 1)
	go func() {
		defer close(ch)
		q := url.Values{}
		q.Set("list-type", "2")
		q.Set("prefix", opts.Prefix)
		if !opts.Recursive {
			q.Set("delimiter", DirDelim)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+"/"+bucket+"?"+q.Encode(), nil)
		if err != nil {
			select {
			case ch <- ObjectInfo{Err: err}:
			case <-ctx.Done():
			}
			return
		}
		resp, err := c.httpClient.Do(req)
		if err != nil {
			select {
			case ch <- ObjectInfo{Err: err}:
			case <-ctx.Done():
			}
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			select {
			case ch <- ObjectInfo{Err: fmt.Errorf("list objects: %s", resp.Status)}:
			case <-ctx.Done():
			}
			return
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			select {
			case ch <- ObjectInfo{Key: sc.Text()}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// Bucket implements the store.Bucket interface against s3-compatible APIs.
type Bucket struct {
	name          string
	client        *minioClient
	listObjectsV1 bool
}

// Iter calls f for each entry in the given directory. The argument to f is the full
// object name including the prefix of the inspected directory.
func (b *Bucket) Iter(ctx context.Context, dir string, f func(string) error, recursive bool) error {
	// Ensure the object name actually ends with a dir suffix. Otherwise we'll just iterate the
	// object itself as one prefix item.
	if dir != "" {
		dir = strings.TrimSuffix(dir, DirDelim) + DirDelim
	}

	opts := ListObjectsOptions{
		Prefix:    dir,
		Recursive: recursive,
		UseV1:     b.listObjectsV1,
	}

	for object := range b.client.ListObjects(ctx, b.name, opts) {
		// Catch the error when failed to list objects.
		if object.Err != nil {
			return object.Err
		}
		// This sometimes happens with empty buckets.
		if object.Key == "" {
			continue
		}
		// The s3 client can also return the directory itself in the ListObjects call above.
		if object.Key == dir {
			continue
		}
		if err := f(object.Key); err != nil {
			return err
		}
	}

	return nil
}
