// Recall case sc-minio-go-retrytimer
// Source: github.com/minio/minio-go commit 94f0286abd36e18113e7a6cb7bbb0dd41c17d067 (api.go)
// Link: https://github.com/minio/minio-go/pull/1260
// Bug: when the caller's ctx is cancelled the retry loop in executeMethod keeps going on transport errors and, once newRetryTimer stops, returns the last (possibly retryable 5xx) response with a nil error, so the cancellation is reported as success; the retry-timer goroutine can also stay blocked sending on attemptCh.
// Fix: executeMethod returns context.Canceled/DeadlineExceeded from c.do immediately and returns retryCtx.Err() after the loop; newRetryTimer's send selects on ctx.Done().
// Rule: swallowcancel
package minio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/ioutil"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Client implements Amazon S3 compatible methods.
type Client struct {
	endpointURL *url.URL
	httpClient  *http.Client
	random      *rand.Rand
	region      string
}

// requestMetadata - is container for all the values to make a request.
type requestMetadata struct {
	bucketName    string
	objectName    string
	queryValues   url.Values
	customHeader  http.Header
	contentBody   io.Reader
	contentLength int64
}

// ErrorResponse - Is the typed error returned by all API operations.
type ErrorResponse struct {
	Code       string
	Message    string
	BucketName string
	Key        string
	StatusCode int
}

func (e ErrorResponse) Error() string { return e.Message }

// ToErrorResponse - Returns parsed ErrorResponse struct from body and
// http headers.
func ToErrorResponse(err error) ErrorResponse {
	switch err := err.(type) {
	case ErrorResponse:
		return err
	default:
		return ErrorResponse{}
	}
}

func httpRespToErrorResponse(resp *http.Response, bucketName, objectName string) error {
	if resp == nil {
		return ErrorResponse{Code: "InternalError", Message: "Empty http response."}
	}
	return ErrorResponse{
		Code:       resp.Header.Get("X-Minio-Error-Code"),
		Message:    resp.Status,
		BucketName: bucketName,
		Key:        objectName,
		StatusCode: resp.StatusCode,
	}
}

func closeResponse(resp *http.Response) {
	if resp != nil && resp.Body != nil {
		io.Copy(ioutil.Discard, resp.Body)
		resp.Body.Close()
	}
}

// do - execute http request.
func (c Client) do(req *http.Request) (*http.Response, error) {
	resp, err := c.httpClient.Do(req)
	if err != nil {
		// Handle this specifically for now until future Golang versions fix this issue properly.
		if urlErr, ok := err.(*url.Error); ok {
			if strings.Contains(urlErr.Err.Error(), "EOF") {
				return nil, &url.Error{
					Op:  urlErr.Op,
					URL: urlErr.URL,
					Err: errors.New("Connection closed by foreign host " + urlErr.URL + ". Retry again."),
				}
			}
		}
		return nil, err
	}

	// Response cannot be non-nil, report error if thats the case.
	if resp == nil {
		return nil, errors.New("Response is empty.")
	}
	return resp, nil
}

// List of success status.
var successStatus = []int{
	http.StatusOK,
	http.StatusNoContent,
	http.StatusPartialContent,
}

// executeMethod - instantiates a given method, and retries the
// request upon any error up to maxRetries attempts in a binomially
// delayed manner using a standard back off algorithm.
func (c Client) executeMethod(ctx context.Context, method string, metadata requestMetadata) (res *http.Response, err error) {
	var isRetryable bool     // Indicates if request can be retried.
	var bodySeeker io.Seeker // Extracted seeker from io.Reader.
	var reqRetry = MaxRetry  // Indicates how many times we can retry the request

	defer func() {
		if err != nil {
			// close idle connections before returning, upon error.
			c.httpClient.CloseIdleConnections()
		}
	}()

	if metadata.contentBody != nil {
		// Check if body is seekable then it is retryable.
		bodySeeker, isRetryable = metadata.contentBody.(io.Seeker)
		switch bodySeeker {
		case os.Stdin, os.Stdout, os.Stderr:
			isRetryable = false
		}
		// Retry only when reader is seekable
		if !isRetryable {
			reqRetry = 1
		}

		// Figure out if the body can be closed - if yes
		// we will definitely close it upon the function
		// return.
		bodyCloser, ok := metadata.contentBody.(io.Closer)
		if ok {
			defer bodyCloser.Close()
		}
	}

	// Create cancel context to control 'newRetryTimer' go routine.
	retryCtx, cancel := context.WithCancel(ctx)

	// Indicate to our routine to exit cleanly upon return.
	defer cancel()

	// Blank indentifier is kept here on purpose since 'range' without
	// blank identifiers is only supported since go1.4
	// https://golang.org/doc/go1.4#forrange.
	for range c.newRetryTimer(retryCtx, reqRetry, DefaultRetryUnit, DefaultRetryCap, MaxJitter) {
		// Retry executes the following function body if request has an
		// error until maxRetries have been exhausted, retry attempts are
		// performed after waiting for a given period of time in a
		// binomial fashion.
		if isRetryable {
			// Seek back to beginning for each attempt.
			if _, err = bodySeeker.Seek(0, 0); err != nil {
				// If seek failed, no need to retry.
				return nil, err
			}
		}

		// Instantiate a new request.
		var req *http.Request
		req, err = c.newRequest(method, metadata)
		if err != nil {
			errResponse := ToErrorResponse(err)
			if isS3CodeRetryable(errResponse.Code) {
				continue // Retry.
			}
			return nil, err
		}

		// Add context to request
		req = req.WithContext(ctx)

		// Initiate the request.
		res, err = c.do(req)
		if err != nil {
			continue
		}

		// For any known successful http status, return quickly.
		for _, httpStatus := range successStatus {
			if httpStatus == res.StatusCode {
				return res, nil
			}
		}

		// Read the body to be saved later.
		errBodyBytes, err := ioutil.ReadAll(res.Body)
		// res.Body should be closed
		closeResponse(res)
		if err != nil {
			return nil, err
		}

		// Save the body.
		errBodySeeker := bytes.NewReader(errBodyBytes)
		res.Body = ioutil.NopCloser(errBodySeeker)

		// For errors verify if its retryable otherwise fail quickly.
		errResponse := ToErrorResponse(httpRespToErrorResponse(res, metadata.bucketName, metadata.objectName))

		// Save the body back again.
		errBodySeeker.Seek(0, 0) // Seek back to starting point.
		res.Body = ioutil.NopCloser(errBodySeeker)

		// Verify if error response code is retryable.
		if isS3CodeRetryable(errResponse.Code) {
			continue // Retry.
		}

		// Verify if http status code is retryable.
		if isHTTPStatusRetryable(res.StatusCode) {
			continue // Retry.
		}

		// For all other cases break out of the retry loop.
		break
	}
	return res, err
}

// newRequest - instantiate a new HTTP request for a given method.
func (c Client) newRequest(method string, metadata requestMetadata) (req *http.Request, err error) {
	// If no method is supplied default to 'POST'.
	if method == "" {
		method = "POST"
	}

	u := *c.endpointURL
	u.Path = "/" + metadata.bucketName
	if metadata.objectName != "" {
		u.Path += "/" + metadata.objectName
	}
	u.RawQuery = metadata.queryValues.Encode()

	// Initialize a new HTTP request for the method.
	req, err = http.NewRequest(method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	for k, v := range metadata.customHeader {
		req.Header.Set(k, v[0])
	}
	if metadata.contentBody != nil {
		req.Body = ioutil.NopCloser(metadata.contentBody)
		req.ContentLength = metadata.contentLength
	}
	return req, nil
}

// StatObject - a caller-facing API reaching executeMethod.
func (c Client) StatObject(ctx context.Context, bucketName, objectName string) (http.Header, error) {
	resp, err := c.executeMethod(ctx, http.MethodHead, requestMetadata{
		bucketName: bucketName,
		objectName: objectName,
	})
	defer closeResponse(resp)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, httpRespToErrorResponse(resp, bucketName, objectName)
	}
	return resp.Header, nil
}
