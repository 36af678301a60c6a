// Recall case nd-dapr-grpcdial
// Source: github.com/dapr/dapr commit f94737cdd11a81828faaf572381e7b5866c85288 (pkg/grpc/grpc.go)
// Link: https://github.com/dapr/dapr/commit/f94737cdd11a81828faaf572381e7b5866c85288   (PR https://github.com/dapr/dapr/pull/1623)
// Bug: Manager.GetGRPCConnection calls grpc.Dial(addr, WithBlock()) with no context, so CreateLocalChannel/any caller can block forever while holding g.lock if the target never answers.
// Fix: dial with grpc.DialContext under context.WithTimeout(context.Background(), dialTimeout) (5s).
// Rule: nodeadline
package grpc

import (
	"crypto/tls"
	"net"
	"strings"
)

// DaprMode stands in for modes.DaprMode.
type DaprMode string

// KubernetesMode is the mode in which dial targets go through DNS.
const KubernetesMode DaprMode = "kubernetes"

// SignedCertificate stands in for the security package's signed cert.
type SignedCertificate struct {
	WorkloadCert  []byte
	PrivateKeyPem []byte
}

// Authenticator stands in for security.Authenticator.
type Authenticator interface {
	GetCurrentSignedCert() *SignedCertificate
}

// GetDialAddressPrefix returns a dial prefix for a gRPC client connections.
func GetDialAddressPrefix(mode DaprMode) string {
	if mode == KubernetesMode {
		return "dns:///"
	}
	return ""
}

// ClientConn stands in for *grpc.ClientConn.
type ClientConn struct {
	target string
	conn   net.Conn
}

// Close closes the underlying connection.
func (c *ClientConn) Close() error { return c.conn.Close() }

type dialOptions struct {
	block         bool
	serviceConfig string
	tlsConfig     *tls.Config
}

// DialOption stands in for grpc.DialOption.
type DialOption func(*dialOptions)

// WithBlock makes the dial wait until the connection is up (grpc.WithBlock).
func WithBlock() DialOption { return func(o *dialOptions) { o.block = true } }

// WithDefaultServiceConfig mirrors grpc.WithDefaultServiceConfig.
func WithDefaultServiceConfig(s string) DialOption {
	return func(o *dialOptions) { o.serviceConfig = s }
}

// WithTransportCredentials mirrors grpc.WithTransportCredentials(credentials.NewTLS(c)).
func WithTransportCredentials(c *tls.Config) DialOption {
	return func(o *dialOptions) { o.tlsConfig = c }
}

// WithInsecure mirrors grpc.WithInsecure.
func WithInsecure() DialOption { return func(o *dialOptions) { o.tlsConfig = nil } }

func dialTarget(target string) string { return strings.TrimPrefix(target, "dns:///") }

// Dial mirrors grpc.Dial: it takes no context, so with WithBlock the caller
// waits for the TCP (and TLS) handshake with nothing to bound the wait.
func Dial(target string, opts ...DialOption) (*ClientConn, error) {
	o := &dialOptions{}
	for _, opt := range opts {
		opt(o)
	}
	var d net.Dialer
	c, err := d.Dial("tcp", dialTarget(target))
	if err != nil {
		return nil, err
	}
	if o.tlsConfig != nil {
		tc := tls.Client(c, o.tlsConfig)
		if err := tc.Handshake(); err != nil {
			c.Close()
			return nil, err
		}
		c = tc
	}
	return &ClientConn{target: target, conn: c}, nil
}
