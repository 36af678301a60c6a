// Recall case sc-velero-server-status-timeout
// Source: github.com/vmware-tanzu/velero commit 63ebd4e51b227beea9408784d2970b2d4ca751d7 (pkg/cmd/cli/serverstatus/server_status.go)
// Link: https://github.com/vmware-tanzu/velero/pull/9111
// Bug: DefaultServerStatusGetter.GetServerStatus polls until g.Context is done and then returns (created, nil) without looking at ctx.Err(), so when the `velero version --timeout` deadline expires the DeadlineExceeded is dropped and printVersion reports an empty server version as success.
// Fix: after wait.Until returns, return ctx.Err() unless it is context.Canceled (the success path cancels the ctx itself).
// Rule: swallowcancel
package serverstatus

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// ---------------------------------------------------------------------------
// Stub of the controller-runtime client (kbclient.Client.Get): a GET against
// the API server carrying the caller's ctx. The rest.Config used by the CLI
// sets no http.Client.Timeout.
// ---------------------------------------------------------------------------

type ObjectKey struct {
	Namespace string
	Name      string
}

type Client struct {
	BaseURL    string
	HTTPClient *http.Client
}

func (c *Client) Get(ctx context.Context, key ObjectKey, obj *ServerStatusRequest) error {
	u := fmt.Sprintf("%s/apis/velero.io/v1/namespaces/%s/serverstatusrequests/%s",
		c.BaseURL, url.PathEscape(key.Namespace), url.PathEscape(key.Name))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: unexpected status %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(obj)
}

// until mirrors k8s.io/apimachinery/pkg/util/wait.Until: run f every period
// until stopCh is closed.
func until(f func(), period time.Duration, stopCh <-chan struct{}) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stopCh:
			return
		default:
		}
		f()
		select {
		case <-stopCh:
			return
		case <-t.C:
		}
	}
}

// ---------------------------------------------------------------------------
// pkg/cmd/cli/serverstatus/server_status.go
// ---------------------------------------------------------------------------

const ServerStatusRequestPhaseProcessed = "Processed"

type ServerStatusRequest struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Status    struct {
		Phase         string `json:"phase"`
		ServerVersion string `json:"serverVersion"`
	} `json:"status"`
}

type Getter interface {
	GetServerStatus(kbClient *Client) (*ServerStatusRequest, error)
}

type DefaultServerStatusGetter struct {
	Namespace string
	Context   context.Context
}

func (g *DefaultServerStatusGetter) GetServerStatus(kbClient *Client) (*ServerStatusRequest, error) {
	// Upstream first creates the ServerStatusRequest (velero-cli-<random>);
	// that API call is not part of this fix and is omitted here.
	created := &ServerStatusRequest{Namespace: g.Namespace, Name: "velero-cli-0"}

	ctx, cancel := context.WithCancel(g.Context)
	defer cancel()

	key := ObjectKey{Name: created.Name, Namespace: g.Namespace}
	checkFunc := func() {
		updated := &ServerStatusRequest{}
		if err := kbClient.Get(ctx, key, updated); err != nil {
			return
		}

		if updated.Name != created.Name {
			return
		}

		if updated.Status.Phase == ServerStatusRequestPhaseProcessed {
			created = updated
			cancel()
		}
	}

	until(checkFunc, 250*time.Millisecond, ctx.Done())

	return created, nil
}

// ---------------------------------------------------------------------------
// pkg/cmd/cli/version/version.go (reduced; cobra wiring dropped)
// ---------------------------------------------------------------------------

// RunVersion is the body of `velero version` (timeout defaults to 5s).
func RunVersion(w io.Writer, kbClient *Client, namespace string, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	serverStatusGetter := &DefaultServerStatusGetter{
		Namespace: namespace,
		Context:   ctx,
	}
	printVersion(w, kbClient, serverStatusGetter)
}

func printVersion(w io.Writer, kbClient *Client, serverStatusGetter Getter) {
	serverStatus, err := serverStatusGetter.GetServerStatus(kbClient)
	if err != nil {
		fmt.Fprintf(w, "<error getting server version: %s>\n", err)
		return
	}

	fmt.Fprintln(w, "Server:")
	fmt.Fprintf(w, "\tVersion: %s\n", serverStatus.Status.ServerVersion)
}
