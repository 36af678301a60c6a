// Recall case tl-minio-go-streamreadat
// Source: github.com/minio/minio-go commit f14663fdc9cddaee5dad20b0f14aae7a37ca0a1e (api-put-object-streaming.go)
// Link: https://github.com/minio/minio-go/pull/2170
// Bug: when one part upload fails (or ctx is cancelled) the collector loop returns early, and the remaining upload workers block forever sending their result on the unbuffered uploadedPartsCh, leaking goroutines.
// Fix: every worker send on uploadedPartsCh is wrapped in a select that also returns on <-ctx.Done().
// Rule: timeoutleak
package minio

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
)

// --- minimal client plumbing (stand-ins for minio-go internals) ---

type Client struct {
	endpointURL *url.URL
	httpClient  *http.Client
}

type PutObjectOptions struct {
	PartSize   uint64
	NumThreads uint
}

func (opts PutObjectOptions) getNumThreads() int {
	if opts.NumThreads > 0 {
		return int(opts.NumThreads)
	}
	return 4
}

type UploadInfo struct {
	Bucket string
	Key    string
	ETag   string
	Size   int64
}

type ObjectPart struct {
	PartNumber int
	ETag       string
	Size       int64
}

type CompletePart struct {
	PartNumber int
	ETag       string
}

type completeMultipartUpload struct {
	Parts []CompletePart
}

type completedParts []CompletePart

func (a completedParts) Len() int           { return len(a) }
func (a completedParts) Swap(i, j int)      { a[i], a[j] = a[j], a[i] }
func (a completedParts) Less(i, j int) bool { return a[i].PartNumber < a[j].PartNumber }

type uploadPartParams struct {
	bucketName string
	objectName string
	uploadID   string
	reader     io.Reader
	partNumber int
	size       int64
}

const minPartSize = 1024 * 1024 * 16

// OptimalPartInfo - calculate the optimal part info for a given object size.
func OptimalPartInfo(objectSize int64, configuredPartSize uint64) (totalPartsCount int, partSize, lastPartSize int64, err error) {
	partSize = int64(minPartSize)
	if configuredPartSize > 0 {
		partSize = int64(configuredPartSize)
	}
	if objectSize < 0 {
		return 0, 0, 0, fmt.Errorf("unknown size")
	}
	totalPartsCount = int((objectSize + partSize - 1) / partSize)
	if totalPartsCount == 0 {
		totalPartsCount = 1
	}
	lastPartSize = objectSize - int64(totalPartsCount-1)*partSize
	return totalPartsCount, partSize, lastPartSize, nil
}

func (c *Client) do(ctx context.Context, method string, u string, body io.Reader, size int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if size >= 0 {
		req.ContentLength = size
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("unexpected status %s", resp.Status)
	}
	return resp, nil
}

func (c *Client) objectURL(bucketName, objectName string, q url.Values) string {
	u := *c.endpointURL
	u.Path = "/" + bucketName + "/" + objectName
	u.RawQuery = q.Encode()
	return u.String()
}

func (c *Client) newUploadID(ctx context.Context, bucketName, objectName string, opts PutObjectOptions) (string, error) {
	q := url.Values{}
	q.Set("uploads", "")
	resp, err := c.do(ctx, http.MethodPost, c.objectURL(bucketName, objectName, q), nil, -1)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// uploadPart - uploads a part in a multipart upload.
func (c *Client) uploadPart(ctx context.Context, p uploadPartParams) (ObjectPart, error) {
	urlValues := make(url.Values)
	urlValues.Set("partNumber", strconv.Itoa(p.partNumber))
	urlValues.Set("uploadId", p.uploadID)
	resp, err := c.do(ctx, http.MethodPut, c.objectURL(p.bucketName, p.objectName, urlValues), p.reader, p.size)
	if err != nil {
		return ObjectPart{}, err
	}
	defer resp.Body.Close()
	return ObjectPart{PartNumber: p.partNumber, ETag: resp.Header.Get("ETag"), Size: p.size}, nil
}

func (c *Client) abortMultipartUpload(ctx context.Context, bucketName, objectName, uploadID string) error {
	q := url.Values{}
	q.Set("uploadId", uploadID)
	resp, err := c.do(ctx, http.MethodDelete, c.objectURL(bucketName, objectName, q), nil, -1)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *Client) completeMultipartUpload(ctx context.Context, bucketName, objectName, uploadID string,
	complete completeMultipartUpload, opts PutObjectOptions,
) (UploadInfo, error) {
	q := url.Values{}
	q.Set("uploadId", uploadID)
	resp, err := c.do(ctx, http.MethodPost, c.objectURL(bucketName, objectName, q), nil, -1)
	if err != nil {
		return UploadInfo{}, err
	}
	defer resp.Body.Close()
	return UploadInfo{Bucket: bucketName, Key: objectName, ETag: resp.Header.Get("ETag")}, nil
}

func errUnexpectedEOF(totalRead, totalSize int64, bucketName, objectName string) error {
	return fmt.Errorf("data read %d is not equal to the size %d of the input Reader (%s/%s)", totalRead, totalSize, bucketName, objectName)
}

// --- the code under test ---

// uploadedPartRes - the response received from a part upload.
type uploadedPartRes struct {
	Error   error // Any error encountered while uploading the part.
	PartNum int   // Number of the part uploaded.
	Size    int64 // Size of the part uploaded.
	Part    ObjectPart
}

type uploadPartReq struct {
	PartNum int        // Number of the part uploaded.
	Part    ObjectPart // Size of the part uploaded.
}

// putObjectMultipartStreamFromReadAt - Uploads files bigger than 128MiB.
// Supports all readers which implements io.ReaderAt interface
// (ReadAt method).
func (c *Client) putObjectMultipartStreamFromReadAt(ctx context.Context, bucketName, objectName string,
	reader io.ReaderAt, size int64, opts PutObjectOptions,
) (info UploadInfo, err error) {
	// Calculate the optimal parts info for a given size.
	totalPartsCount, partSize, lastPartSize, err := OptimalPartInfo(size, opts.PartSize)
	if err != nil {
		return UploadInfo{}, err
	}

	// Initiate a new multipart upload.
	uploadID, err := c.newUploadID(ctx, bucketName, objectName, opts)
	if err != nil {
		return UploadInfo{}, err
	}

	// Aborts the multipart upload in progress, if the
	// function returns any error, since we do not resume
	// we should purge the parts which have been uploaded
	// to relinquish storage space.
	defer func() {
		if err != nil {
			c.abortMultipartUpload(ctx, bucketName, objectName, uploadID)
		}
	}()

	// Total data read and written to server. should be equal to 'size' at the end of the call.
	var totalUploadedSize int64

	// Complete multipart upload.
	var complMultipartUpload completeMultipartUpload

	// Declare a channel that sends the next part number to be uploaded.
	uploadPartsCh := make(chan uploadPartReq)

	// Declare a channel that sends back the response of a part upload.
	uploadedPartsCh := make(chan uploadedPartRes)

	// Used for readability, lastPartNumber is always totalPartsCount.
	lastPartNumber := totalPartsCount

	partitionCtx, partitionCancel := context.WithCancel(ctx)
	defer partitionCancel()
	// Send each part number to the channel to be processed.
	go func() {
		defer close(uploadPartsCh)

		for p := 1; p <= totalPartsCount; p++ {
			select {
			case <-partitionCtx.Done():
				return
			case uploadPartsCh <- uploadPartReq{PartNum: p}:
			}
		}
	}()

	// Receive each part number from the channel allowing three parallel uploads.
	for w := 1; w <= opts.getNumThreads(); w++ {
		go func(partSize int64) {
			for {
				var uploadReq uploadPartReq
				var ok bool
				select {
				case <-ctx.Done():
					return
				case uploadReq, ok = <-uploadPartsCh:
					if !ok {
						return
					}
					// Each worker will draw from the part channel and upload in parallel.
				}

				// If partNumber was not uploaded we calculate the missing
				// part offset and size. For all other part numbers we
				// calculate offset based on multiples of partSize.
				readOffset := int64(uploadReq.PartNum-1) * partSize

				// As a special case if partNumber is lastPartNumber, we
				// calculate the offset based on the last part size.
				if uploadReq.PartNum == lastPartNumber {
					readOffset = size - lastPartSize
					partSize = lastPartSize
				}

				sectionReader := io.NewSectionReader(reader, readOffset, partSize)

				// Proceed to upload the part.
				p := uploadPartParams{
					bucketName: bucketName,
					objectName: objectName,
					uploadID:   uploadID,
					reader:     sectionReader,
					partNumber: uploadReq.PartNum,
					size:       partSize,
				}
				objPart, err := c.uploadPart(ctx, p)
				if err != nil {
					select {
					case <-ctx.Done():
					case uploadedPartsCh <- uploadedPartRes{
						Error: err,
					}:
					}

					// Exit the goroutine.
					return
				}

				// Save successfully uploaded part metadata.
				uploadReq.Part = objPart

				// Send successful part info through the channel.
				select {
				case <-ctx.Done():
				case uploadedPartsCh <- uploadedPartRes{
					Size:    objPart.Size,
					PartNum: uploadReq.PartNum,
					Part:    uploadReq.Part,
				}:
				}
			}
		}(partSize)
	}

	// Gather the responses as they occur and update any
	// progress bar.
	allParts := make([]ObjectPart, 0, totalPartsCount)
	for u := 1; u <= totalPartsCount; u++ {
		select {
		case <-ctx.Done():
			return UploadInfo{}, ctx.Err()
		case uploadRes := <-uploadedPartsCh:
			if uploadRes.Error != nil {
				return UploadInfo{}, uploadRes.Error
			}
			allParts = append(allParts, uploadRes.Part)
			// Update the totalUploadedSize.
			totalUploadedSize += uploadRes.Size
			complMultipartUpload.Parts = append(complMultipartUpload.Parts, CompletePart{
				ETag:       uploadRes.Part.ETag,
				PartNumber: uploadRes.Part.PartNumber,
			})
		}
	}

	// Verify if we uploaded all the data.
	if totalUploadedSize != size {
		return UploadInfo{}, errUnexpectedEOF(totalUploadedSize, size, bucketName, objectName)
	}

	// Sort all completed parts.
	sort.Sort(completedParts(complMultipartUpload.Parts))

	uploadInfo, err := c.completeMultipartUpload(ctx, bucketName, objectName, uploadID, complMultipartUpload, PutObjectOptions{})
	if err != nil {
		return UploadInfo{}, err
	}

	uploadInfo.Size = totalUploadedSize
	return uploadInfo, nil
}

// PutObject is the public entry point reaching the parallel ReadAt uploader.
func (c *Client) PutObject(ctx context.Context, bucketName, objectName string, reader io.ReaderAt, size int64, opts PutObjectOptions) (UploadInfo, error) {
	return c.putObjectMultipartStreamFromReadAt(ctx, bucketName, objectName, reader, size, opts)
}
