// Recall case sd-swarmkit-leaderaddr
// Source: github.com/moby/swarmkit commit eff4256e5686389f8c4db3438f414824c9965fa3 (manager/state/raft/raft.go)
// Link: https://github.com/moby/swarmkit/commit/eff4256e5686389f8c4db3438f414824c9965fa3
// Bug: Node.LeaderAddr starts a fresh 10s budget with context.WithTimeout(context.Background(), ...) for WaitForLeader, ignoring the node's own context n.Ctx, so it keeps waiting for a leader after the node has been stopped.
// Fix: derive the wait context from n.Ctx (context.WithTimeout(n.Ctx, 10*time.Second)) and refuse to run after shutdown.
// Rule: sharedeadline
package raft

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// ErrNoClusterLeader is returned when the cluster has no elected leader.
	ErrNoClusterLeader = errors.New("raft: no elected cluster leader")
	// ErrStopped is returned when an operation was submitted but the node was stopped in the meantime.
	ErrStopped = errors.New("raft: failed to process the request: node is stopped")
)

// Member is a cluster member with its address.
type Member struct {
	RaftID uint64
	Addr   string
}

// Node represents the Raft Node useful configuration.
type Node struct {
	Ctx    context.Context
	cancel func()

	lead    atomic.Uint64
	stopped atomic.Bool
	members map[uint64]*Member

	stopMu sync.RWMutex
}

// NewNode creates a node whose lifetime is bound to ctx.
func NewNode(ctx context.Context) *Node {
	n := &Node{members: map[uint64]*Member{}}
	n.Ctx, n.cancel = context.WithCancel(ctx)
	return n
}

// Leader returns the id of the current leader (0 if none).
func (n *Node) Leader() uint64 { return n.lead.Load() }

// IsStopped reports whether the node was stopped.
func (n *Node) IsStopped() bool { return n.stopped.Load() }

// isShutdown indicates if node was shut down.
// This method should be called under n.stopMu to avoid races with n.stop().
func (n *Node) isShutdown() bool {
	select {
	case <-n.Ctx.Done():
		return true
	default:
		return false
	}
}

func (n *Node) stop() {
	n.stopMu.Lock()
	defer n.stopMu.Unlock()

	n.cancel()
	n.stopped.Store(true)
}

// WaitForLeader waits until node observe some leader in cluster. It returns
// error if ctx was cancelled before leader appeared.
func WaitForLeader(ctx context.Context, n *Node) error {
	l := n.Leader()
	if l != 0 {
		return nil
	}
	ticker := time.NewTicker(50 * time.Millisecond)
	defer ticker.Stop()
	for l == 0 {
		select {
		case <-ticker.C:
		case <-ctx.Done():
			return ctx.Err()
		}
		l = n.Leader()
	}
	return nil
}

// LeaderAddr returns address of current cluster leader.
// With this method Node satisfies raftpicker.AddrSelector interface.
func (n *Node) LeaderAddr() (string, error) {
	n.stopMu.RLock()
	defer n.stopMu.RUnlock()
	if n.isShutdown() {
		return "", fmt.Errorf("raft node is shut down")
	}
	ctx, cancel := context.WithTimeout(n.Ctx, 10*time.Second)
	defer cancel()
	if err := WaitForLeader(ctx, n); err != nil {
		return "", ErrNoClusterLeader
	}
	if n.IsStopped() {
		return "", ErrStopped
	}
	l := n.members[n.Leader()]
	if l == nil {
		return "", ErrNoClusterLeader
	}
	return l.Addr, nil
}
