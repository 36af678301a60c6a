// Recall case nd-rke2-stopetcd
// Source: github.com/rancher/rke2 commit 6d4ae9a6e22df2c4dc56550c466dbfd91b90c820 (pkg/executor/staticpod/staticpod.go)
// Link: https://github.com/rancher/rke2/commit/6d4ae9a6e22df2c4dc56550c466dbfd91b90c820
// Bug: stopEtcd connects to the container runtime and issues ListPodSandbox/RemovePodSandbox RPCs with context.Background(), so an unresponsive runtime hangs shutdown forever.
// Fix: stopEtcd uses context.WithTimeout(context.Background(), 30*time.Second) for the connection and all RPCs.
// Rule: nodeadline
package staticpod

// Stand-ins for k3s' cri.Connection and the CRI RuntimeServiceClient: the
// connection dials the runtime's unix socket and each RPC is a JSON request /
// response exchanged over a fresh socket connection, bounded only by the ctx
// it is given.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"time"
)

type clientConn struct {
	endpoint string
	dialer   net.Dialer
}

func (c *clientConn) Close() error { return nil }

// criConnection connects to the CRI socket at endpoint (cri.Connection).
func criConnection(ctx context.Context, endpoint string) (*clientConn, error) {
	cc := &clientConn{endpoint: endpoint}
	probe, err := cc.dialer.DialContext(ctx, "unix", endpoint)
	if err != nil {
		return nil, err
	}
	probe.Close()
	return cc, nil
}

type PodSandboxFilter struct {
	LabelSelector map[string]string `json:"labelSelector"`
}

type ListPodSandboxRequest struct {
	Filter *PodSandboxFilter `json:"filter"`
}

type PodSandbox struct {
	Id          string            `json:"id"`
	Annotations map[string]string `json:"annotations"`
}

type ListPodSandboxResponse struct {
	Items []*PodSandbox `json:"items"`
}

type RemovePodSandboxRequest struct {
	PodSandboxId string `json:"podSandboxId"`
}

type RemovePodSandboxResponse struct{}

type runtimeServiceClient struct {
	cc *clientConn
}

func newRuntimeServiceClient(cc *clientConn) *runtimeServiceClient {
	return &runtimeServiceClient{cc: cc}
}

// invoke sends one request and waits for the reply; the wait is bounded only
// by ctx (its deadline, if any, and its cancellation).
func (c *runtimeServiceClient) invoke(ctx context.Context, method string, in, out any) error {
	conn, err := c.cc.dialer.DialContext(ctx, "unix", c.cc.endpoint)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	if err := json.NewEncoder(conn).Encode(map[string]any{"method": "/runtime.v1.RuntimeService/" + method, "params": in}); err != nil {
		return err
	}
	var reply struct {
		Error  string          `json:"error"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(bufio.NewReader(conn)).Decode(&reply); err != nil {
		return err
	}
	if reply.Error != "" {
		return fmt.Errorf("%s: %s", method, reply.Error)
	}
	return json.Unmarshal(reply.Result, out)
}

func (c *runtimeServiceClient) ListPodSandbox(ctx context.Context, in *ListPodSandboxRequest) (*ListPodSandboxResponse, error) {
	out := new(ListPodSandboxResponse)
	if err := c.invoke(ctx, "ListPodSandbox", in, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *runtimeServiceClient) RemovePodSandbox(ctx context.Context, in *RemovePodSandboxRequest) (*RemovePodSandboxResponse, error) {
	out := new(RemovePodSandboxResponse)
	if err := c.invoke(ctx, "RemovePodSandbox", in, out); err != nil {
		return nil, err
	}
	return out, nil
}
