// Recall case tl-weaviate-s3-listing
// Source: github.com/weaviate/weaviate commit bd4e54a790c4112bb296cfef957b5c54be6b8452 (modules/backup-s3/client.go)
// Link: https://github.com/weaviate/weaviate/commit/bd4e54a790c4112bb296cfef957b5c54be6b8452
// Bug: s3Client.AllBackups returns early (ctx.Err() or info.Err) from the `for info := range objectsInfo` loop without draining the minio ListObjects channel, so the ListObjects producer goroutine stays blocked forever on its send of the ctx error into the full channel
// Fix: on error record listErr and break, then drain the channel (for range objectsInfo {}) before returning the error
// Rule: timeoutleak
package modstgs3

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// Minimal stand-in for github.com/minio/minio-go/v7 v7.0.97 (ListObjects, listObjectsV2,
// GetObject). ListObjects keeps minio's exact channel protocol: a 1-buffered channel fed by
// a goroutine that, once ctx is done, does an unguarded send of ctx.Err() before closing;
// minio documents that the caller must drain the channel.

// ObjectInfo is one listing entry.
type ObjectInfo struct {
	Key  string `xml:"Key"`
	Size int64  `xml:"Size"`
	Err  error  `xml:"-"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

type listBucketV2Result struct {
	Contents              []ObjectInfo   `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
	IsTruncated           bool           `xml:"IsTruncated"`
	NextContinuationToken string         `xml:"NextContinuationToken"`
}

// ListObjectsOptions holds all options of a list object request.
type ListObjectsOptions struct {
	Prefix    string
	Recursive bool
}

// ErrorResponse is a non-2xx S3 reply.
type ErrorResponse struct {
	StatusCode int
	Message    string
}

func (e ErrorResponse) Error() string {
	return fmt.Sprintf("s3: status %d: %s", e.StatusCode, e.Message)
}

// Client is an S3 client.
type Client struct {
	endpointURL *url.URL
	httpClient  *http.Client
}

// New returns an S3 client for endpoint (e.g. "https://s3.example.com").
func New(endpoint string) (*Client, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	return &Client{
		endpointURL: u,
		httpClient:  &http.Client{Timeout: 5 * time.Minute},
	}, nil
}

func contextCanceled(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

// ListObjects returns objects list after evaluating the passed options.
// If caller cancels the context, then the last entry on the 'chan ObjectInfo' will be the context.Error()
// caller must drain the channel entirely and wait until channel is closed before proceeding, without
// waiting on the channel to be closed completely you might leak goroutines.
func (c *Client) ListObjects(ctx context.Context, bucketName string, opts ListObjectsOptions) <-chan ObjectInfo {
	objectStatCh := make(chan ObjectInfo, 1)
	go func() {
		defer close(objectStatCh)
		if contextCanceled(ctx) {
			objectStatCh <- ObjectInfo{Err: ctx.Err()}
			return
		}

		objIter := c.listObjectsV2(ctx, bucketName, opts)
		for obj := range objIter {
			select {
			case <-ctx.Done():
				objectStatCh <- ObjectInfo{Err: ctx.Err()}
				return
			case objectStatCh <- obj:
			}
		}
	}()
	return objectStatCh
}

func (c *Client) listObjectsV2(ctx context.Context, bucketName string, opts ListObjectsOptions) iter.Seq[ObjectInfo] {
	// Default listing is delimited at "/"
	delimiter := "/"
	if opts.Recursive {
		delimiter = ""
	}

	return func(yield func(ObjectInfo) bool) {
		if contextCanceled(ctx) {
			return
		}

		var continuationToken string
		for {
			if contextCanceled(ctx) {
				return
			}

			result, err := c.listObjectsV2Query(ctx, bucketName, opts.Prefix, continuationToken, delimiter)
			if err != nil {
				yield(ObjectInfo{Err: err})
				return
			}

			for _, object := range result.Contents {
				if !yield(object) {
					return
				}
			}

			// NOTE: prefixes are only present if the request is delimited.
			for _, obj := range result.CommonPrefixes {
				if !yield(ObjectInfo{Key: obj.Prefix}) {
					return
				}
			}

			if result.NextContinuationToken != "" {
				continuationToken = result.NextContinuationToken
			}

			if !result.IsTruncated {
				return
			}

			if continuationToken == "" {
				if !yield(ObjectInfo{
					Err: fmt.Errorf("listObjectsV2 is truncated without continuationToken, %s S3 server is buggy", c.endpointURL),
				}) {
					return
				}
			}
		}
	}
}

func (c *Client) listObjectsV2Query(ctx context.Context, bucketName, prefix, continuationToken, delimiter string) (listBucketV2Result, error) {
	var result listBucketV2Result

	values := url.Values{}
	values.Set("list-type", "2")
	values.Set("prefix", prefix)
	values.Set("delimiter", delimiter)
	values.Set("fetch-owner", "true")
	if continuationToken != "" {
		values.Set("continuation-token", continuationToken)
	}
	u := c.endpointURL.JoinPath(bucketName)
	u.RawQuery = values.Encode()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return result, err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return result, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return result, ErrorResponse{StatusCode: resp.StatusCode, Message: string(msg)}
	}
	if err := xml.NewDecoder(resp.Body).Decode(&result); err != nil {
		return result, err
	}
	return result, nil
}

// Object is a readable S3 object body.
type Object struct {
	body io.ReadCloser
}

func (o *Object) Read(p []byte) (int, error) { return o.body.Read(p) }

func (o *Object) Close() error { return o.body.Close() }

// GetObject returns the body of bucketName/objectName.
func (c *Client) GetObject(ctx context.Context, bucketName, objectName string) (*Object, error) {
	u := c.endpointURL.JoinPath(bucketName, objectName)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		return nil, ErrorResponse{StatusCode: resp.StatusCode, Message: string(msg)}
	}
	return &Object{body: resp.Body}, nil
}
