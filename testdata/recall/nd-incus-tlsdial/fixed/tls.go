// Recall case nd-incus-tlsdial
// Source: github.com/lxc/incus commit f414dea02899e1fc5af72e070f213fa4addf9c46 (internal/server/cluster/tls.go)
// Link: https://github.com/lxc/incus/commit/f414dea02899e1fc5af72e070f213fa4addf9c46
// Bug: The intra-cluster DialTLSContext closure ignores its ctx: it connects with net.Dial (no timeout) and runs tlsConn.Handshake() with no deadline, so a peer that blackholes or stalls the handshake hangs the caller forever.
// Fix: Dial with net.Dialer{Timeout: 10s}.DialContext(ctx), set a 5s conn deadline and use HandshakeContext(ctx).
// Rule: nodeadline
package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// CertInfo is a stand-in for incus' localtls.CertInfo.
type CertInfo struct {
	keyPair   tls.Certificate
	publicKey []byte
}

func (c *CertInfo) KeyPair() tls.Certificate { return c.keyPair }
func (c *CertInfo) PublicKey() []byte        { return c.publicKey }

func tlsClientConfig(networkCert *CertInfo, serverCert *CertInfo) (*tls.Config, error) {
	keypair := serverCert.KeyPair()
	return &tls.Config{Certificates: []tls.Certificate{keypair}, MinVersion: tls.VersionTLS13}, nil
}

// Return an http.Transport configured using the given configuration and a
// cleanup function to use to close all connections the transport has been
// used.
func tlsTransport(networkCert *CertInfo, serverCert *CertInfo) (*http.Transport, func(), error) {
	config, err := tlsClientConfig(networkCert, serverCert)
	if err != nil {
		return nil, nil, err
	}

	// Set InsecureSkipVerify as we're doing our own certificate validation below.
	config.InsecureSkipVerify = true

	transport := &http.Transport{
		TLSClientConfig:       config,
		DisableKeepAlives:     true,
		MaxIdleConns:          0,
		ExpectContinueTimeout: time.Second * 30,
		ResponseHeaderTimeout: time.Second * 3600,
		TLSHandshakeTimeout:   time.Second * 5,
	}

	transport.DialTLSContext = func(ctx context.Context, network string, addr string) (net.Conn, error) {
		// Establish the TCP connection.
		dialer := net.Dialer{Timeout: 10 * time.Second}

		conn, err := dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("Failed connecting to HTTPS endpoint %q: %w", addr, err)
		}

		// Get TLS connection.
		tlsConn := tls.Client(conn, config)

		// Validate the connection (TLSHandshakeTimeout doesn't apply to DialTLSContext).
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))

		err = tlsConn.HandshakeContext(ctx)
		if err != nil {
			_ = conn.Close()
			return nil, err
		}

		_ = conn.SetDeadline(time.Time{})

		// Look for an exact match with the certificate provided.
		// But ignore any other issue (validity, scope, ...).
		cs := tlsConn.ConnectionState()

		if len(cs.PeerCertificates) < 1 {
			return nil, errors.New("Couldn't validate peer certificate")
		}

		certBlock, _ := pem.Decode(networkCert.PublicKey())
		if certBlock == nil {
			return nil, errors.New("Invalid remote certificate")
		}

		expectedRemoteCert, err := x509.ParseCertificate(certBlock.Bytes)
		if err != nil {
			return nil, err
		}

		if !cs.PeerCertificates[0].Equal(expectedRemoteCert) {
			return nil, errors.New("Remote certificate differs from expected")
		}

		return tlsConn, nil
	}

	return transport, transport.CloseIdleConnections, nil
}
