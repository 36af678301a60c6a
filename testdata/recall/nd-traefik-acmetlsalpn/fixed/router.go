// Recall case nd-traefik-acmetlsalpn
// Source: github.com/traefik/traefik commit e9f3089e9045812bcf1b410a9d40568917b26c3d (pkg/server/router/tcp/router.go)
// Link: https://github.com/traefik/traefik/commit/e9f3089e9045812bcf1b410a9d40568917b26c3d
// Bug: Router.ServeTCP clears the connection deadline (conn.SetDeadline(time.Time{})) and then hands ACME-TLS/1 connections to acmeTLSALPNHandler, which runs tls.Server(conn, ...).Handshake() with no deadline, so a client that stalls mid-handshake holds the connection and goroutine forever.
// Fix: the handler runs tlsConn.HandshakeContext with a context.WithTimeout(context.Background(), 2*time.Second) and closes the TLS conn when done.
// Rule: nodeadline
package tcp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"time"
)

// ACMETLS1Protocol is the ALPN value for the TLS-ALPN-01 challenge (lego tlsalpn01).
const ACMETLS1Protocol = "acme-tls/1"

// --- stand-ins for github.com/traefik/traefik/v2/pkg/tcp ---

// Handler is the TCP Handlers interface.
type Handler interface {
	ServeTCP(conn WriteCloser)
}

// The HandlerFunc type is an adapter to allow the use of
// ordinary functions as handlers.
type HandlerFunc func(conn WriteCloser)

// ServeTCP serves tcp.
func (f HandlerFunc) ServeTCP(conn WriteCloser) {
	f(conn)
}

// WriteCloser describes a net.Conn with a CloseWrite method.
type WriteCloser interface {
	net.Conn
	// CloseWrite on a network connection, indicates that the issuer of the call
	// has terminated sending on that connection.
	CloseWrite() error
}

// --- the code under test ---

// Router is a TCP router.
type Router struct {
	acmeTLSPassthrough bool

	// httpForwarder handles all HTTP requests.
	httpForwarder Handler
	// httpsForwarder handles all HTTPS requests.
	httpsForwarder Handler

	// TLS configs.
	httpsTLSConfig *tls.Config // default TLS config
}

// ServeTCP forwards the connection to the right TCP/HTTP handler.
func (r *Router) ServeTCP(conn WriteCloser) {
	br := bufio.NewReader(conn)
	hello, err := clientHelloInfo(br)
	if err != nil {
		conn.Close()
		return
	}

	// Remove read/write deadline and delegate this to underlying TCP server (for now only handled by HTTP Server)
	if err := conn.SetDeadline(time.Time{}); err != nil {
		slog.Error("Error while setting deadline", "err", err)
	}

	if !hello.isTLS {
		if r.httpForwarder != nil {
			r.httpForwarder.ServeTCP(r.GetConn(conn, hello.peeked))
			return
		}
		conn.Close()
		return
	}

	// Handling ACME-TLS/1 challenges.
	if !r.acmeTLSPassthrough && slices.Contains(hello.protos, ACMETLS1Protocol) {
		r.acmeTLSALPNHandler().ServeTCP(r.GetConn(conn, hello.peeked))
		return
	}

	// To handle 404s for HTTPS.
	if r.httpsForwarder != nil {
		r.httpsForwarder.ServeTCP(r.GetConn(conn, hello.peeked))
		return
	}

	conn.Close()
}

// acmeTLSALPNHandler returns a special handler to solve ACME-TLS/1 challenges.
func (r *Router) acmeTLSALPNHandler() Handler {
	if r.httpsTLSConfig == nil {
		return &brokenTLSRouter{}
	}

	return HandlerFunc(func(conn WriteCloser) {
		tlsConn := tls.Server(conn, r.httpsTLSConfig)
		defer tlsConn.Close()

		// This avoids stale connections when validating the ACME challenge,
		// as we expect a validation request to complete in a short period of time.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()

		if err := tlsConn.HandshakeContext(ctx); err != nil {
			slog.DebugContext(ctx, "Error during ACME-TLS/1 handshake", "err", err)
		}
	})
}

// GetConn creates a connection proxy with a peeked string.
func (r *Router) GetConn(conn WriteCloser, peeked string) WriteCloser {
	conn = &Conn{
		Peeked:      []byte(peeked),
		WriteCloser: conn,
	}

	return conn
}

type brokenTLSRouter struct{}

// ServeTCP instantly closes the connection.
func (t *brokenTLSRouter) ServeTCP(conn WriteCloser) {
	_ = conn.Close()
}

// Conn is a connection proxy that handles Peeked bytes.
type Conn struct {
	// Peeked are the bytes that have been read from Conn for the
	// purposes of route matching, but have not yet been consumed
	// by Read calls. It set to nil by Read when fully consumed.
	Peeked []byte

	// Conn is the underlying connection.
	// It can be type asserted against *net.TCPConn or other types
	// as needed. It should not be read from directly unless
	// Peeked is nil.
	WriteCloser
}

// Read reads bytes from the connection (using the buffer prior to actually reading).
func (c *Conn) Read(p []byte) (n int, err error) {
	if len(c.Peeked) > 0 {
		n = copy(p, c.Peeked)
		c.Peeked = c.Peeked[n:]
		if len(c.Peeked) == 0 {
			c.Peeked = nil
		}
		return n, nil
	}
	return c.WriteCloser.Read(p)
}

type clientHello struct {
	serverName string   // SNI server name
	protos     []string // ALPN protocols list
	isTLS      bool     // whether we are a TLS handshake
	peeked     string   // the bytes peeked from the hello while getting the info
}

var errHelloCaptured = errors.New("client hello captured")

// clientHelloInfo returns various data from the clientHello handshake,
// without consuming any bytes from br.
func clientHelloInfo(br *bufio.Reader) (*clientHello, error) {
	hdr, err := br.Peek(1)
	if err != nil {
		var opErr *net.OpError
		if !errors.Is(err, io.EOF) && (!errors.As(err, &opErr) || !opErr.Timeout()) {
			slog.Debug("Error while peeking first byte", "err", err)
		}
		return nil, err
	}

	const recordTypeHandshake = 0x16
	if hdr[0] != recordTypeHandshake {
		return &clientHello{isTLS: false, peeked: getPeeked(br)}, nil
	}

	const recordHeaderLen = 5
	hdr, err = br.Peek(recordHeaderLen)
	if err != nil {
		return &clientHello{isTLS: true, peeked: getPeeked(br)}, nil
	}

	recLen := int(hdr[3])<<8 | int(hdr[4]) // ignoring version in hdr[1:3]
	helloBytes, err := br.Peek(recordHeaderLen + recLen)
	if err != nil {
		return &clientHello{isTLS: true, peeked: getPeeked(br)}, nil
	}

	sni := ""
	var protos []string
	server := tls.Server(sniSniffConn{r: bytes.NewReader(helloBytes)}, &tls.Config{
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			sni = hello.ServerName
			protos = hello.SupportedProtos
			return nil, errHelloCaptured
		},
	})
	_ = server.Handshake()

	return &clientHello{
		serverName: sni,
		isTLS:      true,
		peeked:     getPeeked(br),
		protos:     protos,
	}, nil
}

func getPeeked(br *bufio.Reader) string {
	peeked, err := br.Peek(br.Buffered())
	if err != nil {
		slog.Error("Could not get anything", "err", err)
		return ""
	}
	return string(peeked)
}

// sniSniffConn is a net.Conn that reads from r, fails on Writes,
// and crashes otherwise.
type sniSniffConn struct {
	r        io.Reader
	net.Conn // nil; crash on any unexpected use
}

// Read reads from the underlying reader.
func (c sniSniffConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// Write crashes all the time.
func (sniSniffConn) Write(p []byte) (int, error) { return 0, io.EOF }

// --- entry point, as in the TCP entrypoint: read deadline for the hello only ---

type tcpConn struct{ *net.TCPConn }

// ServeListener accepts connections and routes them, bounding only the
// ClientHello read with readTimeout.
func ServeListener(l *net.TCPListener, r *Router, readTimeout time.Duration) error {
	for {
		c, err := l.AcceptTCP()
		if err != nil {
			return err
		}
		if readTimeout > 0 {
			_ = c.SetReadDeadline(time.Now().Add(readTimeout))
		}
		go r.ServeTCP(tcpConn{c})
	}
}
