// Recall case cc-flyctl-interrupted-release
// Source: github.com/superfly/flyctl commit 976f74af0f6eb5875428eb42bc19798df72ae07d (internal/command/deploy/machines_deploymachinesapp.go)
// Link: https://github.com/superfly/flyctl/commit/976f74af0f6eb5875428eb42bc19798df72ae07d
// Bug: When the deploy is interrupted (err is context.Canceled), DeployMachinesApp tries to give updateReleaseInBackend "an extra second" via context.WithTimeout(ctx, time.Second), but ctx is the already-cancelled deploy context, so the final "interrupted" release-status update fails immediately.
// Fix: a detached onInterruptContext := context.WithoutCancel(ctx) is taken up front and the 1s timeout is derived from it.
// Rule: cleanupctx
package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

type flapsKey struct{}

// NewContext stands in for flaps.NewContext.
func NewContext(ctx context.Context, c *http.Client) context.Context {
	return context.WithValue(ctx, flapsKey{}, c)
}

// gqlClient stands in for the genqlient GraphQL client (HTTP POST to the API).
type gqlClient struct {
	endpoint   string
	httpClient *http.Client
}

type UpdateReleaseInput struct {
	ReleaseId string `json:"releaseId"`
	Status    string `json:"status"`
}

func MachinesUpdateRelease(ctx context.Context, client *gqlClient, input UpdateReleaseInput) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{
		"query":     "mutation MachinesUpdateRelease($input:UpdateReleaseInput!) { updateRelease(input:$input) { release { id } } }",
		"variables": map[string]any{"input": input},
	})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, client.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out json.RawMessage
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

type machineDeployment struct {
	gqlClient     *gqlClient
	flapsClient   *http.Client
	releaseId     string
	appName       string
	restartOnly   bool
	skipDNSChecks bool
}

func (md *machineDeployment) DeployMachinesApp(ctx context.Context) error {
	ctx = NewContext(ctx, md.flapsClient)

	onInterruptContext := context.WithoutCancel(ctx)

	if err := md.updateReleaseInBackend(ctx, "running"); err != nil {
		return fmt.Errorf("failed to set release status to 'running': %w", err)
	}

	var err error
	if md.restartOnly {
		err = md.restartMachinesApp(ctx)
	} else {
		err = md.deployMachinesApp(ctx)
	}

	var status string
	switch {
	case err == nil:
		status = "complete"
	case errors.Is(err, context.Canceled):
		// Provide an extra second to try to update the release status.
		status = "interrupted"
		var cancel func()
		ctx, cancel = context.WithTimeout(onInterruptContext, time.Second)
		defer cancel()
	default:
		status = "failed"
	}

	if updateErr := md.updateReleaseInBackend(ctx, status); updateErr != nil {
		if err == nil {
			err = fmt.Errorf("failed to set final release status: %w", updateErr)
		} else {
			fmt.Fprintf(os.Stderr, "failed to set final release status after deployment failure: %v\n", updateErr)
		}
	}

	if !md.skipDNSChecks {
		if err := md.checkDNS(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "DNS checks failed: %v\n", err)
		}
	}

	return err
}

func (md *machineDeployment) restartMachinesApp(ctx context.Context) error {
	return md.callMachinesAPI(ctx, "restart")
}

func (md *machineDeployment) deployMachinesApp(ctx context.Context) error {
	return md.callMachinesAPI(ctx, "update")
}

func (md *machineDeployment) callMachinesAPI(ctx context.Context, action string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://_api.internal:4280/v1/apps/"+md.appName+"/machines/"+action, nil)
	if err != nil {
		return err
	}
	resp, err := md.flapsClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (md *machineDeployment) checkDNS(ctx context.Context) error {
	_, err := net.DefaultResolver.LookupHost(ctx, md.appName+".fly.dev")
	return err
}

func (md *machineDeployment) updateReleaseInBackend(ctx context.Context, status string) error {
	input := UpdateReleaseInput{
		ReleaseId: md.releaseId,
		Status:    status,
	}
	_, err := MachinesUpdateRelease(ctx, md.gqlClient, input)
	if err != nil {
		return err
	}
	return nil
}
