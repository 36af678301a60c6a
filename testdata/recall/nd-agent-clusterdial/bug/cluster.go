// Recall case nd-agent-clusterdial
// Source: github.com/grafana/agent commit f4c0e0666060d3e55d7d2587e27f1db822bd9155 (pkg/cluster/cluster.go)
// Link: https://github.com/grafana/agent/commit/f4c0e0666060d3e55d7d2587e27f1db822bd9155
// Bug: the cluster HTTP/2 client dials peers through DialTLS -> net.Dial(network, addr) with no timeout and no context, so the per-request timeout of synchronous peer writes does not cover connection establishment and a dial to an unreachable peer can hang.
// Fix: use DialTLSContext and net.DialTimeout with the request context's remaining deadline (capped at 30s).
// Rule: nodeadline
package cluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// http2Transport is a local stand-in for golang.org/x/net/http2.Transport:
// DialTLS is called without the request context, DialTLSContext with it.
type http2Transport struct {
	AllowHTTP      bool
	DialTLS        func(network, addr string, cfg *tls.Config) (net.Conn, error)
	DialTLSContext func(ctx context.Context, network, addr string, cfg *tls.Config) (net.Conn, error)

	once sync.Once
	rt   *http.Transport
}

func (t *http2Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.once.Do(func() {
		t.rt = &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if t.DialTLSContext != nil {
					return t.DialTLSContext(ctx, network, addr, nil)
				}
				return t.DialTLS(network, addr, nil)
			},
		}
	})
	return t.rt.RoundTrip(req)
}

// GossipNode sends gossip messages to peers over HTTP.
type GossipNode struct {
	cli   *http.Client
	peers []string
}

// NewGossipNode creates a gossip node using cli for peer communication.
func NewGossipNode(cli *http.Client, joinPeers []string) (*GossipNode, error) {
	return &GossipNode{cli: cli, peers: joinPeers}, nil
}

// SendTo synchronously writes msg to a peer; the write is bounded by a timeout.
func (n *GossipNode) SendTo(ctx context.Context, peerAddr string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+peerAddr+"/api/v1/ckit/transport/stream", bytes.NewReader(msg))
	if err != nil {
		return err
	}
	resp, err := n.cli.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("peer %s returned %s", peerAddr, resp.Status)
	}
	return nil
}

// Clusterer implements the clustering behavior.
type Clusterer struct {
	Node *GossipNode
}

// New creates a Clusterer.
func New(clusterEnabled bool, listenAddr, joinAddr string) (*Clusterer, error) {
	// Standalone node.
	if !clusterEnabled {
		return &Clusterer{}, nil
	}

	var joinPeers []string
	if joinAddr != "" {
		joinPeers = strings.Split(joinAddr, ",")
	}

	cli := &http.Client{
		Transport: &http2Transport{
			AllowHTTP: true,
			DialTLS: func(network, addr string, _ *tls.Config) (net.Conn, error) {
				return net.Dial(network, addr)
			},
		},
	}

	gossipNode, err := NewGossipNode(cli, joinPeers)
	if err != nil {
		return nil, err
	}

	return &Clusterer{Node: gossipNode}, nil
}
