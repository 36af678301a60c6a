// Recall case sd-singbox-tlsdialer
// Source: github.com/SagerNet/sing-box commit 1f05420745fc7737973fa343459f9b1a0b26f670 (common/dialer/tls.go)
// Link: https://github.com/SagerNet/sing-box/commit/1f05420745fc7737973fa343459f9b1a0b26f670
// Bug: TLSDialer.DialContext receives the caller's ctx but runs the TLS handshake under context.WithTimeout(context.Background(), C.DefaultTCPTimeout), a fresh 5s budget that ignores the caller's cancellation and deadline.
// Fix: Derive the handshake timeout from the caller's ctx (context.WithTimeout(ctx, C.DefaultTCPTimeout)).
// Rule: sharedeadline
package dialer

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"os"
	"time"
)

// constant.DefaultTCPTimeout
const DefaultTCPTimeout = 5 * time.Second

const NetworkTCP = "tcp"

// Dialer is the stand-in for sing's N.Dialer.
type Dialer interface {
	DialContext(ctx context.Context, network string, destination string) (net.Conn, error)
	ListenPacket(ctx context.Context, destination string) (net.PacketConn, error)
}

// DefaultDialer dials with a plain net.Dialer.
type DefaultDialer struct {
	dialer net.Dialer
}

func (d *DefaultDialer) DialContext(ctx context.Context, network string, destination string) (net.Conn, error) {
	return d.dialer.DialContext(ctx, network, destination)
}

func (d *DefaultDialer) ListenPacket(ctx context.Context, destination string) (net.PacketConn, error) {
	var lc net.ListenConfig
	return lc.ListenPacket(ctx, "udp", "")
}

type OutboundTLSOptions struct {
	Enabled    bool
	ServerName string
	Insecure   bool
	DisableSNI bool
}

type TLSDialer struct {
	dialer Dialer
	config *tls.Config
}

func NewTLS(dialer Dialer, serverAddress string, options OutboundTLSOptions) (Dialer, error) {
	if !options.Enabled {
		return dialer, nil
	}

	var serverName string
	if options.ServerName != "" {
		serverName = options.ServerName
	} else if serverAddress != "" {
		if _, err := netip.ParseAddr(serverName); err != nil {
			serverName = serverAddress
		}
	}
	if serverName == "" && options.Insecure {
		return nil, errors.New("missing server_name or insecure=true")
	}

	var tlsConfig tls.Config
	if options.DisableSNI {
		tlsConfig.ServerName = "127.0.0.1"
	} else {
		tlsConfig.ServerName = serverName
	}
	if options.Insecure {
		tlsConfig.InsecureSkipVerify = options.Insecure
	}

	return &TLSDialer{
		dialer: dialer,
		config: &tlsConfig,
	}, nil
}

func (d *TLSDialer) DialContext(ctx context.Context, network string, destination string) (net.Conn, error) {
	if network != NetworkTCP {
		return nil, os.ErrInvalid
	}
	conn, err := d.dialer.DialContext(ctx, network, destination)
	if err != nil {
		return nil, err
	}
	tlsConn := tls.Client(conn, d.config)
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTCPTimeout)
	defer cancel()
	err = tlsConn.HandshakeContext(ctx)
	return tlsConn, err
}

func (d *TLSDialer) ListenPacket(ctx context.Context, destination string) (net.PacketConn, error) {
	return nil, os.ErrInvalid
}
