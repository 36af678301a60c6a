// Recall case nd-omni-identityversion
// Source: github.com/siderolabs/omni commit c9d6d489b32f129dc9c9299db1d3686da069047f (internal/backend/runtime/omni/controllers/omni/internal/task/clustermachine/identity.go)
// Link: https://github.com/siderolabs/omni/commit/c9d6d489b32f129dc9c9299db1d3686da069047f
// Bug: shouldRunLegacyEtcdMemberIDCollector calls the node's Version API with the long-lived task context, which has no deadline, so a node that never answers blocks the identity task forever.
// Fix: wrap the Version call in context.WithTimeout(ctx, 10*time.Second).
// Rule: nodeadline
package clustermachine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// VersionResponse mirrors the Talos machinery Version response.
type VersionResponse struct {
	Messages []struct {
		Version struct {
			Tag string `json:"tag"`
		} `json:"version"`
	} `json:"messages"`
}

// Client is a stand-in for the Talos machinery client (gRPC over the network).
type Client struct {
	endpoint string
	hc       *http.Client
}

// Version asks the node for its version; it waits on the network as long as ctx allows.
func (c *Client) Version(ctx context.Context) (*VersionResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+"/machine/version", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out VersionResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Close releases the client.
func (c *Client) Close() error { c.hc.CloseIdleConnections(); return nil }

// IdentityCollectorTaskSpec scrapes identity, nodename and etcd members info from the nodes.
type IdentityCollectorTaskSpec struct {
	managementAddress string
	id                string
	isControlPlane    bool
}

func (spec IdentityCollectorTaskSpec) getClient(_ context.Context) (*Client, error) {
	if spec.managementAddress == "" {
		return nil, errors.New("no management address")
	}
	return &Client{endpoint: "https://" + spec.managementAddress, hc: &http.Client{}}, nil
}

// RunTask runs the identity collector task.
func (spec IdentityCollectorTaskSpec) RunTask(ctx context.Context, notify chan<- string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	client, err := spec.getClient(ctx)
	if err != nil {
		return err
	}

	defer client.Close() //nolint:errcheck

	runLegacyEtcdMemberIDCollector := false

	if spec.isControlPlane {
		runLegacyEtcdMemberIDCollector, err = spec.shouldRunLegacyEtcdMemberIDCollector(ctx, client)
		if err != nil {
			return err
		}
	}

	select {
	case <-ctx.Done():
		return nil
	case notify <- fmt.Sprintf("%s legacy=%v", spec.id, runLegacyEtcdMemberIDCollector):
	}

	<-ctx.Done()

	return nil
}

func (spec IdentityCollectorTaskSpec) shouldRunLegacyEtcdMemberIDCollector(ctx context.Context, client *Client) (bool, error) {
	versionResp, err := client.Version(ctx)
	if err != nil {
		return false, fmt.Errorf("error getting version: %w", err)
	}

	if len(versionResp.Messages) != 1 {
		return false, fmt.Errorf("unexpected number of version messages: %d", len(versionResp.Messages))
	}

	talosVersion := versionResp.Messages[0].Version.Tag
	if strings.HasPrefix(strings.TrimPrefix(talosVersion, "v"), "1.2.") {
		return true, nil
	}

	return false, nil
}
