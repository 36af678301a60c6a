// Recall case sc-tuppr-executewithretry
// Source: github.com/home-operations/tuppr commit c15b955cc4598620b6b0b2e61d5622c00ccb99d1 (internal/talos/client.go)
// Link: https://github.com/home-operations/tuppr/commit/c15b955cc4598620b6b0b2e61d5622c00ccb99d1
// Bug: executeWithRetry classifies context.DeadlineExceeded as a transient error, so when the caller's own ctx has expired it refreshes the client and keeps retrying the dead operation for the whole 10s retry budget, finally returning a confusing "...; timeout" error instead of the context error.
// Fix: after a failed attempt it checks ctx.Err() and, if the local context is dead, stops the retryer and returns the attempt's error as-is.
// Rule: swallowcancel
package talos

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

type nodeKey struct{}

// WithNode is a stand-in for talos client.WithNode: it routes the call to a node.
func WithNode(ctx context.Context, node string) context.Context {
	return context.WithValue(ctx, nodeKey{}, node)
}

type talosClient interface {
	ImagePull(ctx context.Context, imageRef string) (io.ReadCloser, error)
	Close() error
}

// realTalosClient talks to the Talos API over HTTP.
type realTalosClient struct {
	endpoint string
	hc       *http.Client
}

func (r *realTalosClient) ImagePull(ctx context.Context, imageRef string) (io.ReadCloser, error) {
	node, _ := ctx.Value(nodeKey{}).(string)
	u := fmt.Sprintf("%s/image/pull?node=%s&ref=%s", r.endpoint, url.QueryEscape(node), url.QueryEscape(imageRef))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

func (r *realTalosClient) Close() error {
	r.hc.CloseIdleConnections()
	return nil
}
