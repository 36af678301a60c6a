// Recall case nd-nuon-phonehome-http-get
// Source: github.com/nuonco/nuon commit 73e0abb08cb16ad439ba0f24c0303e0be259c9ae (services/ctl-api/internal/app/installs/worker/activities/get_phonehome_script.go)
// Link: https://github.com/nuonco/nuon/commit/73e0abb08cb16ad439ba0f24c0303e0be259c9ae
// Bug: The Temporal activity fetches the phone-home script with http.Get (default client, no timeout) and ignores the activity ctx, so a stalled GitHub response blocks the worker forever.
// Fix: Build the request with the activity ctx wrapped in a 5s context.WithTimeout and send it with client.Do.
// Rule: nodeadline
package activities

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// Activities is the stand-in for the worker's activity receiver.
type Activities struct{}

type GetPhoneHomeScriptRequest struct{}

const phoneHomeScriptURL = "https://raw.githubusercontent.com/nuonco/runner/refs/heads/main/scripts/aws/phonehome.py"

// @temporal-gen activity
func (a *Activities) GetPhoneHomeScriptRaw(ctx context.Context, req *GetPhoneHomeScriptRequest) ([]byte, error) {

	// Grab the latest version of the phone-home script
	resp, err := http.Get(phoneHomeScriptURL)
	if err != nil {
		return nil, fmt.Errorf("failed to fetch phone-home script: %w", err)
	}
	byts, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("failed to read body of phone-home script: %w", err)
	}

	return byts, nil
}

// generateInstallStackVersion is the caller (workflow side) that awaits the activity.
func generateInstallStackVersion(ctx context.Context, a *Activities) (string, error) {
	phoneHomeScript, err := a.GetPhoneHomeScriptRaw(ctx, &GetPhoneHomeScriptRequest{})
	if err != nil {
		return "", err
	}
	return string(phoneHomeScript), nil
}
