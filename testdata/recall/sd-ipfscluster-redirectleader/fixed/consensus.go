// Recall case sd-ipfscluster-redirectleader
// Source: github.com/ipfs-cluster/ipfs-cluster commit 21855c31302c14162746da0f4013b367249c3d4b (consensus/raft/consensus.go)
// Link: https://github.com/ipfs-cluster/ipfs-cluster/commit/21855c31302c14162746da0f4013b367249c3d4b
// Bug: redirectToLeader ignores the caller's ctx (AddPeer/commit pass theirs in but it is not a parameter) and roots its work in the component-lifetime cc.ctx, starting its own WaitForLeaderTimeout budget and leader RPCs from it, so the caller's deadline/cancellation never reaches the redirect and aborted requests keep running.
// Fix: redirectToLeader takes ctx as a parameter and derives its span, wait-for-leader timeout and RPC context from the caller's ctx.
// Rule: sharedeadline
package raft

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"
)

// Config holds the consensus configuration.
type Config struct {
	CommitRetries        int
	CommitRetryDelay     time.Duration
	WaitForLeaderTimeout time.Duration
	HeartbeatTimeout     time.Duration
}

// rpcClient performs cluster RPC calls to other peers over HTTP.
type rpcClient struct {
	http *http.Client
}

// CallContext invokes svc.method on the given peer.
func (c *rpcClient) CallContext(ctx context.Context, peer, svc, method string, arg interface{}) error {
	b, err := json.Marshal(arg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+peer+"/rpc/"+svc+"."+method, bytes.NewReader(b))
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("rpc %s.%s: %s", svc, method, resp.Status)
	}
	return nil
}

// raftWrapper wraps the raft instance.
type raftWrapper struct {
	mu     sync.Mutex
	leader string
}

// Leader returns the current leader or an error.
func (rw *raftWrapper) Leader(ctx context.Context) (string, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.leader == "" {
		return "", fmt.Errorf("no leader")
	}
	return rw.leader, nil
}

// WaitForLeader blocks until there is a leader or ctx is done.
func (rw *raftWrapper) WaitForLeader(ctx context.Context) (string, error) {
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	for {
		if l, err := rw.Leader(ctx); err == nil {
			return l, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-ticker.C:
		}
	}
}

// AddPeer adds a peer to the raft configuration.
func (rw *raftWrapper) AddPeer(ctx context.Context, pid string) error { return ctx.Err() }

// Consensus handles the work of keeping a shared-state between
// the peers of an IPFS Cluster, as well as modifying that state.
type Consensus struct {
	ctx    context.Context
	cancel func()
	config *Config
	self   string

	raft      *raftWrapper
	rpcClient *rpcClient

	shutdownLock sync.RWMutex
}

// NewConsensus builds a new Consensus component.
func NewConsensus(cfg *Config, self string) *Consensus {
	ctx, cancel := context.WithCancel(context.Background())
	return &Consensus{
		ctx:       ctx,
		cancel:    cancel,
		config:    cfg,
		self:      self,
		raft:      &raftWrapper{},
		rpcClient: &rpcClient{http: &http.Client{Timeout: time.Minute}},
	}
}

// Leader returns the peerID of the Leader of the cluster.
func (cc *Consensus) Leader(ctx context.Context) (string, error) {
	return cc.raft.Leader(ctx)
}

// returns true if the operation was redirected to the leader
// note that if the leader just dissappeared, the rpc call will
// fail because we haven't heard that it's gone.
func (cc *Consensus) redirectToLeader(ctx context.Context, method string, arg interface{}) (bool, error) {

	var finalErr error

	// Retry redirects
	for i := 0; i <= cc.config.CommitRetries; i++ {
		log.Printf("redirect try %d", i)
		leader, err := cc.Leader(ctx)

		// No leader, wait for one
		if err != nil {
			log.Print("there seems to be no leader. Waiting for one")
			rctx, cancel := context.WithTimeout(
				ctx,
				cc.config.WaitForLeaderTimeout,
			)
			defer cancel()
			pidstr, err := cc.raft.WaitForLeader(rctx)

			// means we timed out waiting for a leader
			// we don't retry in this case
			if err != nil {
				return false, fmt.Errorf("timed out waiting for leader: %s", err)
			}
			leader = pidstr
		}

		// We are the leader. Do not redirect
		if leader == cc.self {
			return false, nil
		}

		log.Printf("redirecting %s to leader: %s", method, leader)
		finalErr = cc.rpcClient.CallContext(
			ctx,
			leader,
			"Consensus",
			method,
			arg,
		)
		if finalErr != nil {
			log.Printf("retrying to redirect request to leader: %s", finalErr)
			time.Sleep(2 * cc.config.HeartbeatTimeout)
			continue
		}
		break
	}

	// We tried to redirect, but something happened
	return true, finalErr
}

// AddPeer adds a new peer to participate in this consensus. It will
// forward the operation to the leader if this is not it.
func (cc *Consensus) AddPeer(ctx context.Context, pid string) error {
	var finalErr error
	for i := 0; i <= cc.config.CommitRetries; i++ {
		log.Printf("attempt #%d: AddPeer %s", i, pid)
		if finalErr != nil {
			log.Printf("retrying to add peer. Attempt #%d failed: %s", i, finalErr)
		}
		ok, err := cc.redirectToLeader(ctx, "AddPeer", pid)
		if err != nil || ok {
			return err
		}
		// Being here means we are the leader and can commit
		cc.shutdownLock.RLock() // do not shutdown while committing
		finalErr = cc.raft.AddPeer(ctx, pid)

		cc.shutdownLock.RUnlock()
		if finalErr != nil {
			time.Sleep(cc.config.CommitRetryDelay)
			continue
		}
		log.Printf("peer added to Raft: %s", pid)
		break
	}
	return finalErr
}
