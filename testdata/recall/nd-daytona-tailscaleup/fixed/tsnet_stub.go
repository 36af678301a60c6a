// Recall case nd-daytona-tailscaleup
// Source: github.com/daytonaio/daytona commit da7e56672bc47424f449cd2bc9cff580995aa227 (internal/tailscale/connection.go)
// Link: https://github.com/daytonaio/daytona/commit/da7e56672bc47424f449cd2bc9cff580995aa227
// Bug: GetConnection calls s.Up(context.Background()), so tsnet's wait for the node to reach Running (a streaming call to the control server) has no deadline and the CLI hangs forever when the server is unreachable
// Fix: GetConnection passes context.WithTimeout(context.Background(), 30*time.Second) to s.Up
// Rule: nodeadline
package tailscale

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// tsnetServer stands in for tailscale.com/tsnet.Server. Like tsnet, Up blocks
// until the node reports the Running state, and the only bound on that wait
// is the ctx passed in.
type tsnetServer struct {
	Hostname   string
	ControlURL string
	AuthKey    string
	Ephemeral  bool
	Dir        string
	Logf       func(format string, args ...any)

	client *http.Client
}

type ipnStatus struct {
	BackendState string
}

type ipnNotify struct {
	State        string `json:"state"`
	ErrMessage   string `json:"err"`
	TailscaleIPs []string
}

// Up starts the node and waits, following the notification stream from the
// control server, until it is Running.
func (t *tsnetServer) Up(ctx context.Context) (*ipnStatus, error) {
	if t.client == nil {
		t.client = &http.Client{Transport: http.DefaultTransport}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.ControlURL+"/machine/watch?host="+t.Hostname, nil)
	if err != nil {
		return nil, fmt.Errorf("tsnet.Up: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+t.AuthKey)
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("tsnet.Up: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("tsnet.Up: control server returned %s", resp.Status)
	}
	dec := json.NewDecoder(resp.Body)
	for {
		var n ipnNotify
		if err := dec.Decode(&n); err != nil {
			return nil, fmt.Errorf("tsnet.Up: %w", err)
		}
		if n.ErrMessage != "" {
			return nil, errors.New("tsnet.Up: backend: " + n.ErrMessage)
		}
		if n.State == "Running" {
			return &ipnStatus{BackendState: n.State}, nil
		}
		if n.State == "NeedsLogin" || n.State == "NeedsMachineAuth" {
			return nil, fmt.Errorf("tsnet.Up: backend: %s", n.State)
		}
	}
}
