// Recall case uw-libp2p-autorelay
// Source: github.com/libp2p/go-libp2p commit c8b8014fd08c0d890b80911f9f767544e1d5d8df (p2p/host/relay/autorelay.go)
// Link: https://github.com/libp2p/go-libp2p/commit/c8b8014fd08c0d890b80911f9f767544e1d5d8df
// Bug: AutoRelay.findRelays(ctx) does time.Sleep(30 * time.Second) before `goto again` when no relay could be connected, so host shutdown (ctx cancellation) is ignored during the retry wait.
// Fix: the sleep is replaced by a select on time.After(30s) (goto again) and ctx.Done() (return).
// Rule: uncancellablewait
package autorelay

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const (
	RelayRendezvous = "/libp2p/relay"
)

var (
	DesiredRelays = 3

	BootDelay = 20 * time.Second

	AutoNATRefreshInterval = 15 * time.Minute
)

type PeerInfo struct {
	ID    string   `json:"id"`
	Addrs []string `json:"addrs"`
}

// Discoverer looks up peers advertising a namespace (rendezvous service).
type Discoverer struct {
	client  *http.Client
	baseURL string
}

func (d *Discoverer) FindPeers(ctx context.Context, ns string,
	limit int) ([]PeerInfo, error) {

	u := fmt.Sprintf("%s/discover?ns=%s&limit=%d", d.baseURL,
		url.QueryEscape(ns), limit)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("discover: status %d", resp.StatusCode)
	}
	var pis []PeerInfo
	if err := json.NewDecoder(resp.Body).Decode(&pis); err != nil {
		return nil, err
	}
	return pis, nil
}

// Host dials peers over TCP (basic host Connect).
type Host struct {
	dialer net.Dialer

	mx    sync.Mutex
	conns map[string]net.Conn
}

func (h *Host) Connect(ctx context.Context, pi PeerInfo) error {
	var lastErr error
	for _, addr := range pi.Addrs {
		c, err := h.dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			lastErr = err
			continue
		}
		h.mx.Lock()
		h.conns[pi.ID] = c
		h.mx.Unlock()
		return nil
	}
	if lastErr == nil {
		lastErr = fmt.Errorf("no addresses for %s", pi.ID)
	}
	return lastErr
}

// AutoRelay is a Host that uses relays for connectivity when a NAT is detected.
type AutoRelay struct {
	host     *Host
	discover *Discoverer

	disconnect chan struct{}

	mx     sync.Mutex
	relays map[string]PeerInfo
	addrs  []string
}

func NewAutoRelay(ctx context.Context, host *Host, discover *Discoverer) *AutoRelay {
	ar := &AutoRelay{
		host:       host,
		discover:   discover,
		relays:     make(map[string]PeerInfo),
		disconnect: make(chan struct{}, 1),
	}
	go ar.background(ctx)
	return ar
}

func (ar *AutoRelay) background(ctx context.Context) {
	select {
	case <-time.After(BootDelay):
	case <-ctx.Done():
		return
	}

	for {
		ar.findRelays(ctx)

		select {
		case <-ar.disconnect:
			// invalidate addrs
			ar.mx.Lock()
			ar.addrs = nil
			ar.mx.Unlock()
		case <-time.After(AutoNATRefreshInterval):
		case <-ctx.Done():
			return
		}
	}
}

func (ar *AutoRelay) findRelays(ctx context.Context) {
again:
	ar.mx.Lock()
	haveRelays := len(ar.relays)
	if haveRelays >= DesiredRelays {
		ar.mx.Unlock()
		return
	}
	need := DesiredRelays - len(ar.relays)
	ar.mx.Unlock()

	limit := 1000

	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	pis, err := ar.discover.FindPeers(dctx, RelayRendezvous, limit)
	cancel()
	if err != nil {
		log.Printf("error discovering relays: %s", err.Error())
		return
	}

	update := 0

	for _, pi := range pis {
		ar.mx.Lock()
		if _, ok := ar.relays[pi.ID]; ok {
			ar.mx.Unlock()
			continue
		}
		ar.mx.Unlock()

		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err = ar.host.Connect(cctx, pi)
		cancel()
		if err != nil {
			log.Printf("error connecting to relay %s: %s", pi.ID, err.Error())
			continue
		}

		log.Printf("connected to relay %s", pi.ID)
		ar.mx.Lock()
		ar.relays[pi.ID] = pi
		haveRelays++
		ar.mx.Unlock()

		update++
		need--
		if need == 0 {
			break
		}
	}

	if haveRelays == 0 {
		// we failed to find any relays and we are not connected to any!
		// wait a little and try again, the discovery query might have returned only dead peers
		time.Sleep(30 * time.Second)
		goto again
	}

	if update > 0 || ar.addrs == nil {
		ar.updateAddrs()
	}
}

func (ar *AutoRelay) updateAddrs() {
	ar.mx.Lock()
	defer ar.mx.Unlock()

	raddrs := make([]string, 0, len(ar.relays))
	for _, pi := range ar.relays {
		for _, addr := range pi.Addrs {
			raddrs = append(raddrs, addr+"/p2p/"+pi.ID+"/p2p-circuit")
		}
	}
	ar.addrs = raddrs
}
