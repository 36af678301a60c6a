// Recall case sc-linodego-waitvolume
// Source: github.com/linode/linodego commit cf0f5e4730b8f7a2ecaadc04970ad7c2866dbf6f (waitfor.go)
// Link: https://github.com/linode/linodego/pull/319 (squash cf0f5e4730b8f7a2ecaadc04970ad7c2866dbf6f; PR commit b77005e7d48c15fa56cf5909df5b0de5099082af)
// Bug: when its deadline expires or the caller cancels, Client.WaitForVolumeStatus returns fmt.Errorf("...: %s", ctx.Err()), flattening context.DeadlineExceeded/Canceled into a plain string so callers cannot tell a timeout or cancellation apart with errors.Is
// Fix: the ctx.Err() is wrapped with %w (same change in every WaitFor* helper)
// Rule: swallowcancel
package linodego

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Client is the reduced linodego.Client; the resty client it wrapped is
// replaced by the *http.Client that resty itself would use.
type Client struct {
	hc                  *http.Client
	baseURL             string
	millisecondsPerPoll time.Duration
}

// NewClient creates a Client that talks to baseURL through hc.
func NewClient(hc *http.Client, baseURL string) Client {
	return Client{
		hc:                  hc,
		baseURL:             baseURL,
		millisecondsPerPoll: 2000,
	}
}

// SetPollDelay sets the number of milliseconds to wait between events or status polls.
func (c *Client) SetPollDelay(delay time.Duration) *Client {
	c.millisecondsPerPoll = delay
	return c
}

// getJSON stands in for c.R(ctx).SetResult(v).Get(endpoint): the request
// carries ctx exactly like resty's SetContext(ctx).
func (c *Client) getJSON(ctx context.Context, endpoint string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+"/"+endpoint, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	if resp.StatusCode >= 400 {
		return fmt.Errorf("[%03d] %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// VolumeStatus indicates the status of the Volume
type VolumeStatus string

const (
	// VolumeCreating indicates the Volume is being created and is not yet available for use
	VolumeCreating VolumeStatus = "creating"
	// VolumeActive indicates the Volume is online and available for use
	VolumeActive VolumeStatus = "active"
)

// Volume represents a linode volume object
type Volume struct {
	ID     int          `json:"id"`
	Label  string       `json:"label"`
	Status VolumeStatus `json:"status"`
}

// GetVolume gets the template with the provided ID
func (c *Client) GetVolume(ctx context.Context, volumeID int) (*Volume, error) {
	e := fmt.Sprintf("volumes/%d", volumeID)
	v := new(Volume)
	if err := c.getJSON(ctx, e, v); err != nil {
		return nil, err
	}
	return v, nil
}
