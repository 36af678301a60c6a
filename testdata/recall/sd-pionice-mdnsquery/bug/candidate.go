// Recall case sd-pionice-mdnsquery
// Source: github.com/pion/ice commit 71ac5557aba51f33db24b5316c9e6b8e439f1393 (agent.go)
// Link: https://github.com/pion/ice/commit/71ac5557aba51f33db24b5316c9e6b8e439f1393
// Bug: Agent.resolveAndAddMulticastCandidate calls a.mDNSConn.Query(context.TODO(), c.Address()) although the candidate (a context.Context closed with the candidate) is in scope, so the multicast query goroutine blocks forever when nobody answers.
// Fix: pass the candidate context, a.mDNSConn.Query(c.context(), c.Address()), so the query is cancelled when the candidate is closed.
// Rule: sharedeadline
package ice

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// ErrRunCanceled indicates a run operation was canceled by its individual done
var ErrRunCanceled = errors.New("run was canceled by done")

type candidateBase struct {
	address string
	mu      sync.Mutex
	ip      net.IP

	closeCh  chan struct{}
	closedCh chan struct{}
}

// Done implements context.Context
func (c *candidateBase) Done() <-chan struct{} {
	return c.closeCh
}

// Err implements context.Context
func (c *candidateBase) Err() error {
	select {
	case <-c.closedCh:
		return ErrRunCanceled
	default:
		return nil
	}
}

// Deadline implements context.Context
func (c *candidateBase) Deadline() (deadline time.Time, ok bool) {
	return time.Time{}, false
}

// Value implements context.Context
func (c *candidateBase) Value(key interface{}) interface{} {
	return nil
}

// Address returns Candidate Address
func (c *candidateBase) Address() string {
	return c.address
}

func (c *candidateBase) context() context.Context {
	return c
}

func (c *candidateBase) close() error {
	select {
	case <-c.Done():
		return nil
	default:
	}
	close(c.closeCh)
	close(c.closedCh)
	return nil
}

// CandidateHost is a candidate of type host
type CandidateHost struct {
	candidateBase
}

// NewCandidateHost creates a new host candidate
func NewCandidateHost(address string) *CandidateHost {
	return &CandidateHost{candidateBase: candidateBase{
		address:  address,
		closeCh:  make(chan struct{}),
		closedCh: make(chan struct{}),
	}}
}

func (c *CandidateHost) setIP(ip net.IP) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ip = ip
	return nil
}
