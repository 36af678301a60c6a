// Recall case nd-gnetcli-tcpdial
// Source: github.com/annetutil/gnetcli commit a726570739552dee18b5ca94ee22d95e89dfb6be (pkg/streamer/streamer.go)
// Link: https://github.com/annetutil/gnetcli/commit/a726570739552dee18b5ca94ee22d95e89dfb6be
// Bug: TCPDialCtx dials with a zero net.Dialer and the caller's ctx only, so when the ctx has no deadline a dial to an unresponsive address hangs (until the OS gives up) and the telnet streamer never moves on to the next endpoint.
// Fix: TCPDialCtx wraps the ctx in context.WithTimeout(ctx, 5*time.Second) before DialContext.
// Rule: nodeadline
package streamer

import (
	"context"
	"fmt"
	"net"
	"strconv"
)

const defaultPort = 23

// TCPDialCtx net.Dial version with context arg
func TCPDialCtx(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return conn, nil
}

// Streamer is the telnet streamer (pkg/streamer/telnet) reduced to its connection setup.
type Streamer struct {
	host      string
	addresses []net.IP
	conn      net.Conn
	logf      func(format string, args ...any)
}

func NewStreamer(host string, addresses []net.IP) *Streamer {
	return &Streamer{host: host, addresses: addresses, logf: func(string, ...any) {}}
}

func (m *Streamer) Init(ctx context.Context) error {
	var endpoints []string
	if len(m.addresses) != 0 {
		endpoints = make([]string, 0, len(m.addresses))
		for _, v := range m.addresses {
			endpoints = append(endpoints, net.JoinHostPort(v.String(), strconv.Itoa(defaultPort)))
		}
	} else {
		endpoints = []string{net.JoinHostPort(m.host, strconv.Itoa(defaultPort))}
	}

	for i, v := range endpoints {
		conn, err := TCPDialCtx(ctx, "tcp", v)
		if err == nil {
			m.conn = conn
			break
		}
		if i == len(endpoints)-1 {
			return fmt.Errorf("failed to dial all given endpoints %v: %w", endpoints, err)
		}
		m.logf("failed to connect endpoint %s, trying next: %v", v, err)
	}
	return nil
}

func (m *Streamer) Close() error {
	if m.conn == nil {
		return nil
	}
	return m.conn.Close()
}
