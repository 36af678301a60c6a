// Recall case nd-magalu-bucketcreate
// Source: github.com/MagaluCloud/magalu commit 8a743956ab1a5a2712fb3f64407d08a58bf616af (mgc/sdk/static/bucket/create.go)
// Link: https://github.com/MagaluCloud/magalu/commit/8a743956ab1a5a2712fb3f64407d08a58bf616af
// Bug: create() has the execution ctx but builds the S3 request in the newCreateRequest helper with http.NewRequest (context.Background), so SendRequest performs httpClient.Do with a request that has no deadline and ignores cancellation.
// Fix: Pass ctx into newCreateRequest and build the request with http.NewRequestWithContext(ctx, ...).
// Rule: nodeadline
package bucket

import (
	"context"
	"net/http"
	"net/url"
)

type createParams struct {
	Name     string `json:"name"`
	ACL      string `json:"acl,omitempty"`
	Location string `json:"location,omitempty"`
}

// Config is the s3.Config of the SDK.
type Config struct {
	AccessKeyID string
	SecretKey   string
	Region      string
}

func newCreateRequest(region, bucket string) (*http.Request, error) {
	host := BuildHost(region)
	url, err := url.JoinPath(host, bucket)
	if err != nil {
		return nil, err
	}
	return http.NewRequest(http.MethodPut, url, nil)
}

func create(ctx context.Context, params createParams, cfg Config) (any, error) {
	req, err := newCreateRequest(cfg.Region, params.Name)
	if err != nil {
		return nil, err
	}

	return SendRequest(ctx, req, cfg.AccessKeyID, cfg.SecretKey, nil)
}
