// Recall case nd-zitadeloidc-jwksreqctx
// Source: github.com/zitadel/oidc commit 3512c72f1c158e1c40157d84d50c97ecaa1d91d8 (pkg/http/http.go)
// Link: https://github.com/zitadel/oidc/commit/3512c72f1c158e1c40157d84d50c97ecaa1d91d8
// Bug: remoteKeySet.fetchRemoteKeys receives the caller's ctx but builds the JWKS request with http.NewRequest, so the HTTP fetch (via a client that may have no Timeout) ignores the caller's deadline/cancellation and can hang forever.
// Fix: the request is built with http.NewRequestWithContext(ctx, ...).
// Rule: nodeadline
package rp

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// httpRequest mirrors httphelper.HttpRequest.
func httpRequest(client *http.Client, req *http.Request, response any) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("unable to read response body: %v", err)
	}

	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("http status not ok: %s %s", resp.Status, body)
	}

	err = json.Unmarshal(body, response)
	if err != nil {
		return fmt.Errorf("failed to unmarshal response: %v %s", err, body)
	}
	return nil
}
