// Recall case nd-p2-schedulerclient
// Source: github.com/square/p2 commit 134131f8885ef9a76c637e390f57d2b40b354d6d (pkg/grpc/scheduler/client/client.go)
// Link: https://github.com/square/p2/commit/134131f8885ef9a76c637e390f57d2b40b354d6d
// Bug: EligibleNodes and AllocateNodes issue scheduler RPCs with context.Background() and no deadline, so a hung scheduler server blocks the caller forever.
// Fix: each RPC now runs under context.WithTimeout(context.Background(), c.timeout) with a 5s default timeout configurable in NewClient.
// Rule: nodeadline
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
)

// Stand-ins for the generated scheduler_protos types.
type EligibleNodesRequest struct {
	Manifest     string `json:"manifest"`
	NodeSelector string `json:"node_selector"`
}

type EligibleNodesResponse struct {
	EligibleNodes []string `json:"eligible_nodes"`
}

type AllocateNodesRequest struct {
	Manifest       string `json:"manifest"`
	NodeSelector   string `json:"node_selector"`
	NodesRequested int64  `json:"nodes_requested"`
	Force          bool   `json:"force"`
}

type AllocateNodesResponse struct {
	AllocatedNodes []string `json:"allocated_nodes"`
}

// P2SchedulerClient mirrors the generated gRPC client interface.
type P2SchedulerClient interface {
	EligibleNodes(ctx context.Context, in *EligibleNodesRequest) (*EligibleNodesResponse, error)
	AllocateNodes(ctx context.Context, in *AllocateNodesRequest) (*AllocateNodesResponse, error)
}

// httpSchedulerClient is a stand-in transport: it performs the RPC as an
// HTTP POST with the given ctx (like grpc.ClientConn.Invoke would).
type httpSchedulerClient struct {
	base string
	hc   *http.Client
}

func (h *httpSchedulerClient) call(ctx context.Context, method string, in, out interface{}) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/"+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := h.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

func (h *httpSchedulerClient) EligibleNodes(ctx context.Context, in *EligibleNodesRequest) (*EligibleNodesResponse, error) {
	out := new(EligibleNodesResponse)
	return out, h.call(ctx, "EligibleNodes", in, out)
}

func (h *httpSchedulerClient) AllocateNodes(ctx context.Context, in *AllocateNodesRequest) (*AllocateNodesResponse, error) {
	out := new(AllocateNodesResponse)
	return out, h.call(ctx, "AllocateNodes", in, out)
}

func NewP2SchedulerClient(target string) P2SchedulerClient {
	return &httpSchedulerClient{base: target, hc: &http.Client{}}
}

type NodeName string

type Manifest interface {
	Marshal() ([]byte, error)
}

type Selector interface {
	String() string
}
