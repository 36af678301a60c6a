// Recall case sd-pionice-mdnsquery
// Source: github.com/pion/ice commit 71ac5557aba51f33db24b5316c9e6b8e439f1393 (agent.go)
// Link: https://github.com/pion/ice/commit/71ac5557aba51f33db24b5316c9e6b8e439f1393
// Bug: Agent.resolveAndAddMulticastCandidate calls a.mDNSConn.Query(context.TODO(), c.Address()) although the candidate (a context.Context closed with the candidate) is in scope, so the multicast query goroutine blocks forever when nobody answers.
// Fix: pass the candidate context, a.mDNSConn.Query(c.context(), c.Address()), so the query is cancelled when the candidate is closed.
// Rule: sharedeadline
package ice

import (
	"context"
	"log"
	"net"
	"strings"
	"sync"
)

// MulticastDNSMode represents the different Multicast modes ICE can run in
type MulticastDNSMode byte

const (
	MulticastDNSModeDisabled MulticastDNSMode = iota + 1
	MulticastDNSModeQueryOnly
)

// Agent represents the ICE agent
type Agent struct {
	mu               sync.Mutex
	mDNSMode         MulticastDNSMode
	mDNSConn         *mdnsConn
	remoteCandidates []*CandidateHost
}

// AddRemoteCandidate adds a new remote candidate
func (a *Agent) AddRemoteCandidate(c *CandidateHost) error {
	// If we have a mDNS Candidate lets fully resolve it before adding it locally
	if strings.HasSuffix(c.Address(), ".local") {
		if a.mDNSMode == MulticastDNSModeDisabled {
			log.Printf("remote mDNS candidate added, but mDNS is disabled: (%s)", c.Address())
			return nil
		}
		go a.resolveAndAddMulticastCandidate(c)
		return nil
	}

	a.addRemoteCandidate(c)
	return nil
}

func (a *Agent) resolveAndAddMulticastCandidate(c *CandidateHost) {
	if a.mDNSConn == nil {
		return
	}
	_, src, err := a.mDNSConn.Query(context.TODO(), c.Address())
	if err != nil {
		log.Printf("Failed to discover mDNS candidate %s: %v", c.Address(), err)
		return
	}

	ip, _, _, _ := parseAddr(src)
	if ip == nil {
		log.Printf("Failed to discover mDNS candidate %s: failed to parse IP", c.Address())
		return
	}

	if err = c.setIP(ip); err != nil {
		log.Printf("Failed to discover mDNS candidate %s: %v", c.Address(), err)
		return
	}

	a.addRemoteCandidate(c)
}

func (a *Agent) addRemoteCandidate(c *CandidateHost) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.remoteCandidates = append(a.remoteCandidates, c)
}

func parseAddr(in net.Addr) (net.IP, int, string, bool) {
	switch addr := in.(type) {
	case *net.UDPAddr:
		return addr.IP, addr.Port, "udp", true
	case *net.TCPAddr:
		return addr.IP, addr.Port, "tcp", true
	}
	return nil, 0, "", false
}
