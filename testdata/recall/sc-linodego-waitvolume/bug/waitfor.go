// Recall case sc-linodego-waitvolume
// Source: github.com/linode/linodego commit cf0f5e4730b8f7a2ecaadc04970ad7c2866dbf6f (waitfor.go)
// Link: https://github.com/linode/linodego/pull/319 (squash cf0f5e4730b8f7a2ecaadc04970ad7c2866dbf6f; PR commit b77005e7d48c15fa56cf5909df5b0de5099082af)
// Bug: when its deadline expires or the caller cancels, Client.WaitForVolumeStatus returns fmt.Errorf("...: %s", ctx.Err()), flattening context.DeadlineExceeded/Canceled into a plain string so callers cannot tell a timeout or cancellation apart with errors.Is
// Fix: the ctx.Err() is wrapped with %w (same change in every WaitFor* helper)
// Rule: swallowcancel
package linodego

import (
	"context"
	"fmt"
	"time"
)

// WaitForVolumeStatus waits for the Volume to reach the desired state
// before returning. It will timeout with an error after timeoutSeconds.
func (client Client) WaitForVolumeStatus(ctx context.Context, volumeID int, status VolumeStatus, timeoutSeconds int) (*Volume, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(timeoutSeconds)*time.Second)
	defer cancel()

	ticker := time.NewTicker(client.millisecondsPerPoll * time.Millisecond)
	defer ticker.Stop()

	for {
		select {
		case <-ticker.C:
			volume, err := client.GetVolume(ctx, volumeID)
			if err != nil {
				return volume, err
			}
			complete := (volume.Status == status)

			if complete {
				return volume, nil
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("Error waiting for Volume %d status %s: %s", volumeID, status, ctx.Err())
		}
	}
}
