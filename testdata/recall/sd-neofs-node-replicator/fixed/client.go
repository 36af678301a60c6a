// Recall case sd-neofs-node-replicator
// Source: github.com/nspcc-dev/neofs-node commit 7393dbe7c208b98c6831df02e2fabb3039d1fb59 (pkg/services/tree/replicator.go)
// Link: https://github.com/nspcc-dev/neofs-node/commit/7393dbe7c208b98c6831df02e2fabb3039d1fb59
// Bug: replicationWorker gives every Apply RPC a fresh context.WithTimeout(context.Background(), replicatorTimeout) (and dials with context.Background()), ignoring the ctx that replicateLoop was started with, so cancelling the service does not abort in-flight replication.
// Fix: replicateLoop passes its ctx to replicationWorker, which derives the per-attempt timeout and the client dial from that ctx and also returns on ctx.Done().
// Rule: sharedeadline
package tree

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

var errRecentlyFailed = errors.New("client has recently failed")

// ApplyRequest is a stand-in for the tree service Apply request.
type ApplyRequest struct {
	ContainerID string `json:"cid"`
	TreeID      string `json:"tree_id"`
	Op          []byte `json:"op"`
}

// ApplyResponse is a stand-in for the tree service Apply response.
type ApplyResponse struct{}

// treeClient is a stand-in for TreeServiceClient: Apply is a unary RPC over HTTP.
type treeClient struct {
	addr string
	hc   *http.Client
}

func (c *treeClient) Apply(ctx context.Context, req *ApplyRequest) (*ApplyResponse, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+c.addr+"/tree/apply", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(hreq)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("apply: status %d", resp.StatusCode)
	}
	return &ApplyResponse{}, nil
}

// clientCache caches connections to other tree service nodes.
type clientCache struct {
	mu sync.Mutex
	m  map[string]*treeClient
}

func (c *clientCache) get(ctx context.Context, addr string) (*treeClient, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.m[addr]; ok {
		return cl, nil
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	conn.Close()
	cl := &treeClient{addr: addr, hc: http.DefaultClient}
	if c.m == nil {
		c.m = make(map[string]*treeClient)
	}
	c.m[addr] = cl
	return cl, nil
}

// NodeInfo is a stand-in for netmap.NodeInfo.
type NodeInfo struct {
	addrs []string
	key   []byte
}

func (n NodeInfo) IterateNetworkEndpoints(f func(string) bool) {
	for _, a := range n.addrs {
		if f(a) {
			return
		}
	}
}

func (n NodeInfo) PublicKey() []byte { return n.key }

type replicationTask struct {
	n   NodeInfo
	req *ApplyRequest
}

type movePair struct {
	cid    string
	treeID string
	op     []byte
}

// Service represents tree-service capable of working with multiple
// instances of CRDT trees.
type Service struct {
	closeCh               chan struct{}
	replicateCh           chan movePair
	replicationTasks      chan replicationTask
	replicatorWorkerCount int
	replicatorTimeout     time.Duration
	cache                 clientCache
	nodes                 []NodeInfo
}

const (
	defaultReplicatorCapacity    = 64
	defaultReplicatorWorkerCount = 64
	defaultReplicatorSendTimeout = time.Second * 5
)

func (s *Service) replicate(op movePair) error {
	req := &ApplyRequest{ContainerID: op.cid, TreeID: op.treeID, Op: op.op}
	for _, n := range s.nodes {
		select {
		case s.replicationTasks <- replicationTask{n, req}:
		default:
			log.Printf("queue of replication tasks is full, dropping")
		}
	}
	return nil
}
