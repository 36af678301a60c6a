// Recall case nd-p2-schedulerclient
// Source: github.com/square/p2 commit 134131f8885ef9a76c637e390f57d2b40b354d6d (pkg/grpc/scheduler/client/client.go)
// Link: https://github.com/square/p2/commit/134131f8885ef9a76c637e390f57d2b40b354d6d
// Bug: EligibleNodes and AllocateNodes issue scheduler RPCs with context.Background() and no deadline, so a hung scheduler server blocks the caller forever.
// Fix: each RPC now runs under context.WithTimeout(context.Background(), c.timeout) with a 5s default timeout configurable in NewClient.
// Rule: nodeadline
package client

import (
	"context"
	"fmt"
)

type Client struct {
	schedulerClient P2SchedulerClient
}

func NewClient(target string) Client {
	return Client{
		schedulerClient: NewP2SchedulerClient(target),
	}
}

func (c *Client) EligibleNodes(man Manifest, sel Selector) ([]NodeName, error) {
	manifestStr, err := man.Marshal()
	if err != nil {
		return nil, fmt.Errorf("could not marshal manifest for EligibleNodes gRPC request: %s", err)
	}

	req := &EligibleNodesRequest{
		Manifest:     string(manifestStr),
		NodeSelector: sel.String(),
	}

	resp, err := c.schedulerClient.EligibleNodes(context.Background(), req)
	if err != nil {
		return nil, fmt.Errorf("EligibleNodes gRPC call failed: %s", err)
	}

	ret := make([]NodeName, len(resp.EligibleNodes))
	for i, node := range resp.EligibleNodes {
		ret[i] = NodeName(node)
	}

	return ret, nil
}

func (c *Client) AllocateNodes(man Manifest, nodeSelector Selector, nodesRequested int, force bool) ([]NodeName, error) {
	manifestStr, err := man.Marshal()
	if err != nil {
		return nil, fmt.Errorf("could not marshal manifest for AllocateNodes gRPC request: %s", err)
	}
	req := &AllocateNodesRequest{
		Manifest:       string(manifestStr),
		NodeSelector:   nodeSelector.String(),
		NodesRequested: int64(nodesRequested),
		Force:          force,
	}

	resp, err := c.schedulerClient.AllocateNodes(context.Background(), req)
	if err != nil {
		return nil, fmt.Errorf("AllocateNodes gRPC call failed: %s", err)
	}

	ret := make([]NodeName, len(resp.AllocatedNodes))
	for i, node := range resp.AllocatedNodes {
		ret[i] = NodeName(node)
	}

	return ret, nil
}
