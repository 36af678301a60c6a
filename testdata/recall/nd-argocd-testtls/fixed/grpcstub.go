// Recall case nd-argocd-testtls
// Source: github.com/argoproj/argo-cd commit 3ee03f6af2c5b3930f2e6becaf7f9132d778be54 (util/grpc/grpc.go; this file is a stub of google.golang.org/grpc DialContext + credentials, not upstream code)
// Link: https://github.com/argoproj/argo-cd/pull/9935
// Bug: `argocd login` -> TestTLS -> BlockingDial(context.Background(), ...) waits for a blocking gRPC dial with no deadline, so login hangs forever when the server never becomes READY.
// Fix: TestTLS takes a dialTime (30s from login) and gives every BlockingDial a context.WithTimeout(context.Background(), dialTime).
// Rule: nodeadline

package grpcutil

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"
)

// Stub of the parts of google.golang.org/grpc used by BlockingDial. Like grpc-go
// with WithBlock()+FailOnNonTempDialError(true)+WithContextDialer(dialer), it
// dials, then waits for the server's HTTP/2 SETTINGS frame; every connection
// attempt is bounded by minConnectTimeout derived from the caller's ctx, and a
// failed attempt is retried with backoff until the caller's ctx is done.

const (
	minConnectTimeout = 20 * time.Second
	baseDelay         = 1 * time.Second
	maxDelay          = 120 * time.Second
)

var clientPreface = []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")

// ClientConn is a (stub) gRPC client connection.
type ClientConn struct {
	conn net.Conn
}

// Close tears down the ClientConn.
func (cc *ClientConn) Close() error { return cc.conn.Close() }

// AuthInfo is the (stub) grpc credentials.AuthInfo.
type AuthInfo interface {
	AuthType() string
}

// TransportCredentials is the (stub) grpc credentials.TransportCredentials.
type TransportCredentials interface {
	ClientHandshake(ctx context.Context, authority string, rawConn net.Conn) (net.Conn, AuthInfo, error)
}

type tlsInfo struct{}

func (tlsInfo) AuthType() string { return "tls" }

type tlsCreds struct {
	config *tls.Config
}

// NewTLS mirrors credentials.NewTLS.
func NewTLS(c *tls.Config) TransportCredentials {
	return &tlsCreds{config: c.Clone()}
}

func (c *tlsCreds) ClientHandshake(ctx context.Context, authority string, rawConn net.Conn) (net.Conn, AuthInfo, error) {
	cfg := c.config.Clone()
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(authority)
		if err != nil {
			host = authority
		}
		cfg.ServerName = host
	}
	conn := tls.Client(rawConn, cfg)
	if err := conn.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, nil, err
	}
	return conn, tlsInfo{}, nil
}

// DialContext mirrors grpc.DialContext with WithBlock(): it only returns once a
// connection is READY, on a non-temporary dial error, or when ctx is done.
func DialContext(ctx context.Context, address string, dialer func(context.Context, string) (net.Conn, error)) (*ClientConn, error) {
	delay := baseDelay
	for {
		connectCtx, cancel := context.WithTimeout(ctx, minConnectTimeout)
		conn, err := dialer(connectCtx, address)
		if err != nil {
			cancel()
			// FailOnNonTempDialError(true)
			return nil, err
		}
		err = waitForReady(connectCtx, conn)
		cancel()
		if err == nil {
			return &ClientConn{conn: conn}, nil
		}
		_ = conn.Close()

		// transport failed before READY: back off and reconnect.
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		if delay *= 2; delay > maxDelay {
			delay = maxDelay
		}
	}
}

// waitForReady sends the HTTP/2 client preface and waits for the server's SETTINGS frame.
func waitForReady(ctx context.Context, conn net.Conn) error {
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return err
		}
		defer conn.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := conn.Write(clientPreface); err != nil {
		return err
	}
	hdr := make([]byte, 9)
	if _, err := io.ReadFull(conn, hdr); err != nil {
		return err
	}
	if hdr[3] != 0x4 {
		return errors.New("transport: server preface is not a SETTINGS frame")
	}
	return nil
}
