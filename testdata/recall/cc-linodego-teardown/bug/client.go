// Recall case cc-linodego-teardown
// Source: github.com/linode/linodego commit f706b57bd0200bdbc14cc48123ca0341427e7f36 (test/integration/iam_io_ready_test.go)
// Link: https://github.com/linode/linodego/pull/964/commits/f706b57bd0200bdbc14cc48123ca0341427e7f36 (PR squash-merged as e22edb38dad1ab7e2693153a9b1990bcc542f11b)
// Bug: the teardown returned by setupVolumeAttachedToLinode runs via t.Cleanup but polls Client.WaitForVolumeIOReadyStatus with the test ctx from waitContext (derived from t.Context()), which is already cancelled when cleanups run, so the detach wait fails immediately and the cleanup is cut short
// Fix: teardown creates its own cleanupCtx (context.WithTimeout(context.Background(), 45s)) and uses it for DetachVolume and WaitForVolumeIOReadyStatus
// Rule: cleanupctx
package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Client is the reduced linodego.Client (HTTP plumbing only).
type Client struct {
	hc                  *http.Client
	baseURL             string
	millisecondsPerPoll time.Duration
}

// NewClient creates a Client that talks to baseURL through hc.
func NewClient(hc *http.Client, baseURL string, pollDelay time.Duration) *Client {
	return &Client{hc: hc, baseURL: baseURL, millisecondsPerPoll: pollDelay}
}

// GetPollDelay gets the number of milliseconds to wait between events or status polls.
func (c *Client) GetPollDelay() time.Duration {
	return c.millisecondsPerPoll
}

// doRequest stands in for linodego's doGETRequest/doPOSTRequest helpers:
// the request carries ctx.
func (c *Client) doRequest(ctx context.Context, method, endpoint string, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+"/"+endpoint, nil)
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
	if v == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// Volume represents a linode volume object
type Volume struct {
	ID      int  `json:"id"`
	IOReady bool `json:"io_ready"`
}

// GetVolume gets the template with the provided ID
func (c *Client) GetVolume(ctx context.Context, volumeID int) (*Volume, error) {
	v := new(Volume)
	if err := c.doRequest(ctx, http.MethodGet, fmt.Sprintf("volumes/%d", volumeID), v); err != nil {
		return nil, err
	}
	return v, nil
}

// DetachVolume detaches a Volume
func (c *Client) DetachVolume(ctx context.Context, volumeID int) error {
	return c.doRequest(ctx, http.MethodPost, fmt.Sprintf("volumes/%d/detach", volumeID), nil)
}

// WaitForVolumeIOReadyStatus waits for the io_ready status to verify whether the volume is
// successfully attached to a Linode instance and ready for read and write operations
func (client Client) WaitForVolumeIOReadyStatus(
	ctx context.Context,
	volumeID int,
	status bool,
) (*Volume, error) {
	return poll(ctx, &client,
		func(ctx context.Context) (*Volume, bool, error) {
			volume, err := client.GetVolume(ctx, volumeID)
			if err != nil {
				return volume, false, err
			}

			return volume, volume.IOReady == status, nil
		},
		func() error {
			return fmt.Errorf("failed to wait for Volume %d IO Ready status %t: %w", volumeID, status, ctx.Err())
		},
	)
}

func poll[T any](
	ctx context.Context,
	client *Client,
	check func(context.Context) (T, bool, error),
	timeoutErr func() error,
) (T, error) {
	ticker := newTicker(client)
	defer ticker.Stop()

	for {
		select {
		case <-ticker.C:
			result, done, err := check(ctx)
			if err != nil {
				return result, err
			}

			if done {
				return result, nil
			}
		case <-ctx.Done():
			var zero T
			return zero, timeoutErr()
		}
	}
}

func newTicker(client *Client) *time.Ticker {
	return time.NewTicker(client.GetPollDelay())
}
