// Recall case nd-magalu-bucketcreate
// Source: github.com/MagaluCloud/magalu commit 8a743956ab1a5a2712fb3f64407d08a58bf616af (mgc/sdk/static/bucket/create.go)
// Link: https://github.com/MagaluCloud/magalu/commit/8a743956ab1a5a2712fb3f64407d08a58bf616af
// Bug: create() has the execution ctx but builds the S3 request in the newCreateRequest helper with http.NewRequest (context.Background), so SendRequest performs httpClient.Do with a request that has no deadline and ignores cancellation.
// Fix: Pass ctx into newCreateRequest and build the request with http.NewRequestWithContext(ctx, ...).
// Rule: nodeadline
package bucket

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Stand-in for mgc/sdk/static/s3/session.go and mgc/core/http.

const templateUrl = "https://{{region}}.api.magalu.cloud/magaluobjects"

type httpClientKey struct{}

// ClientFromContext returns the *http.Client stored in ctx by the SDK (corehttp.ClientFromContext).
func ClientFromContext(ctx context.Context) *http.Client {
	c, _ := ctx.Value(httpClientKey{}).(*http.Client)
	return c
}

// NewClientContext stores the SDK http client in ctx.
func NewClientContext(parent context.Context, c *http.Client) context.Context {
	return context.WithValue(parent, httpClientKey{}, c)
}

func BuildHost(region string) string {
	return strings.ReplaceAll(templateUrl, "{{region}}", region)
}

func sign(req *http.Request, accessKey, secretKey string) error {
	now := time.Now().UTC().Format("20060102T150405Z")
	mac := hmac.New(sha256.New, []byte("AWS4"+secretKey))
	mac.Write([]byte(req.Method + "\n" + req.URL.Path + "\n" + now))
	req.Header.Set("X-Amz-Date", now)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+accessKey+", Signature="+hex.EncodeToString(mac.Sum(nil)))
	return nil
}

func SendRequest(ctx context.Context, req *http.Request, accessKey, secretKey string, out any) (any, error) {
	httpClient := ClientFromContext(ctx)
	if httpClient == nil {
		return nil, fmt.Errorf("couldn't get http client from context")
	}

	if err := sign(req, accessKey, secretKey); err != nil {
		return nil, err
	}

	res, err := httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("error to send HTTP request: %w", err)
	}
	defer res.Body.Close()

	if res.StatusCode >= 300 {
		return nil, fmt.Errorf("http error: %s", res.Status)
	}
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}
