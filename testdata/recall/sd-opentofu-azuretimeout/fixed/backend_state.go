// Recall case sd-opentofu-azuretimeout
// Source: github.com/opentofu/opentofu commit d1de75543cffa1d5f3e9af55a39b754175a681a6 (internal/backend/remote-state/azure/backend_state.go)
// Link: https://github.com/opentofu/opentofu/commit/d1de75543cffa1d5f3e9af55a39b754175a681a6
// Bug: The azure backend helper getContextWithTimeout starts a fresh budget with context.WithTimeout(context.Background(), timeoutSeconds), and Workspaces/DeleteWorkspace discard their ctx parameter, so the storage API calls ignore the caller cancellation and deadline.
// Fix: getContextWithTimeout takes the caller ctx and derives the timeout from it; Workspaces/DeleteWorkspace pass their ctx in.
// Rule: sharedeadline
package azure

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

const (
	// This will be used as directory name, the odd looking colon is simply to
	// reduce the chance of name conflicts with existing objects.
	keyEnvPrefix     = "env:"
	defaultStateName = "default"
)

// ArmClient is a stand-in for the Azure storage client used by the backend.
type ArmClient struct {
	storageAccountName string
	endpoint           string
	timeoutSeconds     int
	http               *http.Client
}

func (c *ArmClient) listBlobs(ctx context.Context, container, prefix string) ([]string, error) {
	u := fmt.Sprintf("%s/%s?restype=container&comp=list&prefix=%s", c.endpoint, container, url.QueryEscape(prefix))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Blobs []string `xml:"Blobs>Blob>Name"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return out.Blobs, nil
}

func (c *ArmClient) deleteBlob(ctx context.Context, container, name string) (int, error) {
	u := fmt.Sprintf("%s/%s/%s", c.endpoint, container, name)
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("delete %s: status %d", name, resp.StatusCode)
	}
	return resp.StatusCode, nil
}

type Backend struct {
	armClient     *ArmClient
	containerName string
	keyName       string
}

func (b *Backend) path(name string) string {
	if name == defaultStateName {
		return b.keyName
	}
	return b.keyName + keyEnvPrefix + name
}

// getContextWithTimeout returns a context with timeout based on the timeoutSeconds
func (b *Backend) getContextWithTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, time.Duration(b.armClient.timeoutSeconds)*time.Second)
}

func (b *Backend) Workspaces(ctx context.Context) ([]string, error) {
	ctx, cancel := b.getContextWithTimeout(ctx)
	defer cancel()

	prefix := b.keyName + keyEnvPrefix
	names, err := b.armClient.listBlobs(ctx, b.containerName, prefix)
	if err != nil {
		return nil, err
	}
	result := []string{defaultStateName}
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			result = append(result, strings.TrimPrefix(n, prefix))
		}
	}
	sort.Strings(result[1:])
	return result, nil
}

func (b *Backend) DeleteWorkspace(ctx context.Context, name string, _ bool) error {
	if name == defaultStateName || name == "" {
		return fmt.Errorf("can't delete default state")
	}

	ctx, cancel := b.getContextWithTimeout(ctx)
	defer cancel()

	if status, err := b.armClient.deleteBlob(ctx, b.containerName, b.path(name)); err != nil {
		if status != 404 {
			return err
		}
	}

	return nil
}
