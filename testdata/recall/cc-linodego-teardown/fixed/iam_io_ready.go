// Recall case cc-linodego-teardown
// Source: github.com/linode/linodego commit f706b57bd0200bdbc14cc48123ca0341427e7f36 (test/integration/iam_io_ready_test.go)
// Link: https://github.com/linode/linodego/pull/964/commits/f706b57bd0200bdbc14cc48123ca0341427e7f36 (PR squash-merged as e22edb38dad1ab7e2693153a9b1990bcc542f11b)
// Bug: the teardown returned by setupVolumeAttachedToLinode runs via t.Cleanup but polls Client.WaitForVolumeIOReadyStatus with the test ctx from waitContext (derived from t.Context()), which is already cancelled when cleanups run, so the detach wait fails immediately and the cleanup is cut short
// Fix: teardown creates its own cleanupCtx (context.WithTimeout(context.Background(), 45s)) and uses it for DetachVolume and WaitForVolumeIOReadyStatus
// Rule: cleanupctx
package integration

import (
	"context"
	"testing"
	"time"
)

// waitContext returns a context bounded by timeout that is derived from
// t.Context(); t.Context() is cancelled just before Cleanup-registered
// functions run.
func waitContext(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()

	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)

	return ctx
}

// setupVolumeAttachedToLinode is reduced: instance/volume creation and the
// attach call are cut; the volume is already attached when it is called.
func setupVolumeAttachedToLinode(
	t *testing.T,
	ctx context.Context,
	client *Client,
	volumeID int,
	detachVolume bool,
) (*Volume, func()) {
	t.Helper()

	volume, err := client.WaitForVolumeIOReadyStatus(ctx, volumeID, true)
	if err != nil {
		t.Fatalf("Error waiting for IO Ready status of attached volume: %v", err)
	}

	teardown := func() {
		if detachVolume {
			// new a context because the context from t.Context() will be cancelled before cleanup run
			cleanupCtx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
			defer cancel()

			err = client.DetachVolume(cleanupCtx, volume.ID)
			if err != nil {
				t.Errorf("Error detaching volume: %v", err)
			}

			_, err = client.WaitForVolumeIOReadyStatus(cleanupCtx, volume.ID, false)
			if err != nil {
				t.Errorf("Error waiting for IO Ready status of detached volume: %v", err)
			}
		}
	}

	return volume, teardown
}

// GetIOReadyForUpdatedVolume is the body of TestIAM_GetIOReadyForUpdatedVolume,
// taking the recorder-backed client as a parameter.
func GetIOReadyForUpdatedVolume(t *testing.T, client *Client, volumeID int) {
	ctx := waitContext(t, 270*time.Second)

	volume, teardown := setupVolumeAttachedToLinode(t, ctx, client, volumeID, true)
	t.Cleanup(teardown)

	if !volume.IOReady {
		t.Errorf("expected volume %d to be IO ready", volume.ID)
	}
}
