// Recall case sd-ssv-healthhandler
// Source: github.com/ssvlabs/ssv commit 10a8edba045f15289ea98b933a269e6b9924f0c8 (api/handlers/node.go)
// Link: https://github.com/ssvlabs/ssv/commit/10a8edba045f15289ea98b933a269e6b9924f0c8
// Bug: the Health HTTP handler probes the beacon/execution nodes with ctx := context.Background(); the prober helpers then start a fresh per-check budget (WithTimeout(ctx, interval)) that ignores the request's context, so a cancelled or timed-out client request keeps the probes running.
// Fix: the handler uses ctx := r.Context(), so the probe budgets are derived from the caller's request context.
// Rule: sharedeadline
package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Node is a reduced stand-in for nodeprobe.Node.
type Node interface {
	Healthy(ctx context.Context) error
}

// httpNode checks a beacon/execution client over its HTTP API.
type httpNode struct {
	client *http.Client
	url    string
}

func (n *httpNode) Healthy(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.url, nil)
	if err != nil {
		return err
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("node unhealthy: %s", resp.Status)
	}
	return nil
}

// Prober is a reduced stand-in for nodeprobe.Prober.
type Prober struct {
	interval time.Duration
	nodes    map[string]Node
}

func (p *Prober) CheckBeaconNodeHealth(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.interval)
	defer cancel()
	return p.nodes["consensus client"].Healthy(ctx)
}

func (p *Prober) CheckExecutionNodeHealth(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.interval)
	defer cancel()
	return p.nodes["execution client"].Healthy(ctx)
}

type healthStatus struct {
	err error
}

func (h healthStatus) MarshalJSON() ([]byte, error) {
	if h.err == nil {
		return json.Marshal("good")
	}
	return json.Marshal(fmt.Sprintf("bad: %s", h.err.Error()))
}

type healthCheckJSON struct {
	P2P           healthStatus `json:"p2p"`
	BeaconNode    healthStatus `json:"beacon_node"`
	ExecutionNode healthStatus `json:"execution_node"`
	Advanced      struct {
		Peers           int      `json:"peers"`
		ListenAddresses []string `json:"p2p_listen_addresses"`
	} `json:"advanced"`
}

type Network interface {
	PeerCount() int
}

type NodeAPI struct {
	ListenAddresses []string
	Network         Network
	NodeProber      *Prober
}

func (h *NodeAPI) Health(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var resp healthCheckJSON

	resp.Advanced.ListenAddresses = h.ListenAddresses
	resp.Advanced.Peers = h.Network.PeerCount()
	if resp.Advanced.Peers == 0 {
		resp.P2P = healthStatus{errors.New("no peers are connected")}
	}

	// Check the health of Ethereum nodes.
	resp.BeaconNode = healthStatus{h.NodeProber.CheckBeaconNodeHealth(ctx)}
	resp.ExecutionNode = healthStatus{h.NodeProber.CheckExecutionNodeHealth(ctx)}

	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(resp)
}
