package indirect

import (
	"context"
	"net/http"
	"time"
)

type apiClient struct{ hc *http.Client }

// NewAPIClient keeps the client its caller configures: its bound is
// unknown here.
func NewAPIClient(hc *http.Client) *apiClient { return &apiClient{hc: hc} }

// getGrant takes no context and sends a request built with
// http.NewRequest through the client its object keeps (pganalyze's
// GetDefaultGrant): the request carries no context at all.
func (c *apiClient) getGrant(url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Called where the caller's context is in scope: the wait gets no
// deadline from its context, whatever the caller holds.
func snapshot(ctx context.Context, c *apiClient) error {
	return c.getGrant("https://api/grant") // want `\(\*indirect.apiClient\).getGrant starts its own http.NewRequest, which reaches \(\*http.Client\).Do: the wait gets no deadline from its context and is not cancelled with the caller; give it a context parameter and pass ctx`
}

// No caller's context in scope: the client may bound the wait.
func snapshotAlone(c *apiClient) error {
	return c.getGrant("https://api/grant")
}

// A helper that hands the client in: one this call builds with a Timeout
// bounds the wait (crlite's fix), one without is reported at this call as
// a client with no Timeout.
func headRequest(hc *http.Client, url string) error {
	req, err := http.NewRequest(http.MethodHead, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func download(ctx context.Context, url string, timeout time.Duration) error {
	hc := &http.Client{Timeout: timeout}
	return headRequest(hc, url)
}

// An explicit root in a helper (yorkie's Publish, karmada's health check)
// is sharedeadline's only: the caller's context is dropped, and the
// client's bound, set where it is built, is unknown here.
func (c *apiClient) publish(url string) error {
	return c.publishWith(context.Background(), url)
}

func (c *apiClient) publishWith(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func watchDocs(ctx context.Context, c *apiClient) error {
	return c.publish("https://member/events")
}

// Work started in a goroutine is detached on purpose.
func snapshotAsync(ctx context.Context, c *apiClient) {
	go c.getGrant("https://api/grant")
}
