// Recall case sd-kubo-swarmresolve
// Source: github.com/ipfs/kubo commit 291614848f7e4b822df4a21f7afcf4393e24444c (core/commands/swarm.go)
// Link: https://github.com/ipfs/kubo/commit/291614848f7e4b822df4a21f7afcf4393e24444c
// Bug: 'swarm connect' resolves dnsaddr multiaddrs in resolveAddresses, where each resolver goroutine starts a fresh context.WithTimeout(context.Background(), dnsResolveTimeout), ignoring the request's context (cancellation/deadline of req.Context).
// Fix: thread req.Context through peersWithAddresses/resolveAddresses and derive the DNS timeout from it (context.WithTimeout(ctx, dnsResolveTimeout)).
// Rule: sharedeadline
package commands

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

const dnsResolveTimeout = 10 * time.Second

// Multiaddr is a stand-in for ma.Multiaddr ("/dnsaddr/host" or ".../ipfs/<id>").
type Multiaddr string

func NewMultiaddr(s string) (Multiaddr, error) {
	if !strings.HasPrefix(s, "/") {
		return "", fmt.Errorf("invalid multiaddr %q", s)
	}
	return Multiaddr(s), nil
}

// endsInIPFS reports whether the last component is /ipfs/<peer id>.
func endsInIPFS(m Multiaddr) bool {
	parts := strings.Split(string(m), "/")
	return len(parts) >= 3 && parts[len(parts)-2] == "ipfs"
}

// Resolve is the stand-in for madns.Resolve: it looks up the _dnsaddr TXT
// records of a /dnsaddr/<host> multiaddr.
func Resolve(ctx context.Context, maddr Multiaddr) ([]Multiaddr, error) {
	host, ok := strings.CutPrefix(string(maddr), "/dnsaddr/")
	if !ok {
		return []Multiaddr{maddr}, nil
	}
	txts, err := net.DefaultResolver.LookupTXT(ctx, "_dnsaddr."+host)
	if err != nil {
		return nil, err
	}
	var out []Multiaddr
	for _, t := range txts {
		if a, ok := strings.CutPrefix(t, "dnsaddr="); ok {
			out = append(out, Multiaddr(a))
		}
	}
	return out, nil
}

// PeerInfo is the stand-in for pstore.PeerInfo.
type PeerInfo struct {
	ID    string
	Addrs []Multiaddr
}

// SwarmAPI is the stand-in for api.Swarm().
type SwarmAPI interface {
	Connect(ctx context.Context, pi PeerInfo) error
}

// Request is the stand-in for cmds.Request.
type Request struct {
	Context   context.Context
	Arguments []string
}

// swarmConnectRun is the Run function of swarmConnectCmd.
func swarmConnectRun(req *Request, api SwarmAPI) ([]string, error) {
	addrs := req.Arguments

	pis, err := peersWithAddresses(addrs)
	if err != nil {
		return nil, err
	}

	output := make([]string, len(pis))
	for i, pi := range pis {
		output[i] = "connect " + pi.ID

		err := api.Connect(req.Context, pi)
		if err != nil {
			return nil, fmt.Errorf("%s failure: %s", output[i], err)
		}
		output[i] += " success"
	}
	return output, nil
}

// peersWithAddresses is a function that takes in a slice of string peer addresses
// (multiaddr + peerid) and returns a slice of properly constructed peers
func peersWithAddresses(addrs []string) ([]PeerInfo, error) {
	// resolve addresses
	maddrs, err := resolveAddresses(addrs)
	if err != nil {
		return nil, err
	}

	peers := make(map[string][]Multiaddr, len(maddrs))
	for _, m := range maddrs {
		parts := strings.Split(string(m), "/")
		id := parts[len(parts)-1]
		tpt := Multiaddr(strings.Join(parts[:len(parts)-2], "/"))
		if tpt != "" {
			peers[id] = append(peers[id], tpt)
		} else if _, ok := peers[id]; !ok {
			peers[id] = nil
		}
	}
	if len(peers) == 0 {
		return nil, errors.New("no peers")
	}
	pis := make([]PeerInfo, 0, len(peers))
	for id, maddrs := range peers {
		pis = append(pis, PeerInfo{ID: id, Addrs: maddrs})
	}
	return pis, nil
}

// resolveAddresses resolves addresses parallelly
func resolveAddresses(addrs []string) ([]Multiaddr, error) {
	var maddrs []Multiaddr
	var wg sync.WaitGroup
	resolveErrC := make(chan error, len(addrs))

	maddrC := make(chan Multiaddr)
	go func() {
		for {
			select {
			case maddr, ok := <-maddrC:
				if !ok {
					return
				}
				maddrs = append(maddrs, maddr)
			}
		}
	}()

	for _, addr := range addrs {
		maddr, err := NewMultiaddr(addr)
		if err != nil {
			return nil, err
		}

		// check whether address ends in `ipfs/Qm...`
		if endsInIPFS(maddr) {
			maddrs = append(maddrs, maddr)
			continue
		}
		wg.Add(1)
		go func(maddr Multiaddr) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), dnsResolveTimeout)
			raddrs, err := Resolve(ctx, maddr)
			cancel()
			if err != nil {
				resolveErrC <- err
				return
			}
			if len(raddrs) == 0 {
				resolveErrC <- fmt.Errorf("non-resolvable multiaddr about %v", maddr)
				return
			}
			// filter out addresses that still doesn't end in `ipfs/Qm...`
			for _, raddr := range raddrs {
				if endsInIPFS(raddr) {
					maddrC <- raddr
					continue
				}
			}
		}(maddr)
	}
	// wait for address resolving
	wg.Wait()
	// close the channel of collecting multiaddr
	close(maddrC)

	select {
	case err := <-resolveErrC:
		return nil, err
	default:
	}

	return maddrs, nil
}
