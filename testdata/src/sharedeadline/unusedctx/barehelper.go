package unusedctx

import (
	"bytes"
	"context"
	"net/http"
	"time"
)

// tiup's telemetry: Report receives the caller's short budget but posts
// through a helper of the package that takes no context, so the 10 s
// client Timeout, not the caller, bounds the wait.
type teleClient struct{ client *http.Client }

func newTeleClient() *teleClient { return &teleClient{client: &http.Client{Timeout: 10 * time.Second}} }

func (c *teleClient) post(url string, body []byte) error {
	resp, err := c.client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type telemetry struct {
	cli *teleClient
	url string
}

func (t *telemetry) Report(ctx context.Context, msg []byte) error {
	return t.cli.post(t.url, msg) // want `\(\*unusedctx.telemetry\).Report receives ctx but never uses it, and \(\*http.Client\).Post via \(\*unusedctx.teleClient\).post waits with no context: the caller's deadline and cancellation never reach the wait; give \(\*unusedctx.teleClient\).post a context parameter and pass ctx`
}

// Negatives.

// The context is discarded on purpose.
func (t *telemetry) ReportDiscarded(_ context.Context, msg []byte) error {
	return t.cli.post(t.url, msg)
}

// The helper runs in a goroutine: not part of the call.
func (t *telemetry) ReportAsync(ctx context.Context, msg []byte) {
	go t.cli.post(t.url, msg)
}

// The context is used.
func (t *telemetry) ReportFixed(ctx context.Context, msg []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(msg))
	if err != nil {
		return err
	}
	resp, err := t.cli.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
