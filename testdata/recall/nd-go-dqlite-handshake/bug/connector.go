// Recall case nd-go-dqlite-handshake
// Source: github.com/canonical/go-dqlite commit 6921ab1defb16b3354f8f0fccf2fc087ebbfeedc (internal/protocol/connector.go)
// Link: https://github.com/canonical/go-dqlite/commit/6921ab1defb16b3354f8f0fccf2fc087ebbfeedc
// Bug: Handshake receives the caller's ctx but writes the protocol version to the raw net.Conn without setting any deadline, so the handshake write ignores the ctx deadline and can block indefinitely on a stuck peer.
// Fix: Handshake sets conn.SetDeadline(deadline) from ctx.Deadline() (and resets it afterwards) before writing.
// Rule: nodeadline
package protocol

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// DialFunc is a function that can be used to establish a network connection.
type DialFunc func(context.Context, string) (net.Conn, error)

// Config holds various configuration parameters for a dqlite client.
type Config struct {
	Dial           DialFunc      // Network dialer.
	DialTimeout    time.Duration // Timeout for establishing a network connection .
	AttemptTimeout time.Duration // Timeout for each individual attempt.
}

// Connector is in charge of creating a dqlite SQL client connected to the
// current leader of a cluster.
type Connector struct {
	id     uint64
	config Config
}

// Message is a minimal stand-in for the dqlite wire message.
type Message struct {
	body []byte
}

// Protocol sends and receive the dqlite message on the wire.
type Protocol struct {
	version        uint64        // Protocol version
	conn           net.Conn      // Underlying network connection.
	contextTimeout time.Duration // Default context timeout.
	mu             sync.Mutex    // Serialize requests
	netErr         error         // A network error occurred
}

func newProtocol(version uint64, conn net.Conn) *Protocol {
	return &Protocol{
		version:        version,
		conn:           conn,
		contextTimeout: 5 * time.Second,
	}
}

// Call invokes a dqlite RPC, sending a request message and receiving a
// response message.
func (p *Protocol) Call(ctx context.Context, request, response *Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()

	if p.netErr != nil {
		return p.netErr
	}

	// Honor the ctx deadline, if present, or use a default.
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(p.contextTimeout)
	}
	p.conn.SetDeadline(deadline)

	hdr := make([]byte, 8)
	binary.LittleEndian.PutUint64(hdr, uint64(len(request.body)))
	if _, err := p.conn.Write(append(hdr, request.body...)); err != nil {
		p.netErr = err
		return fmt.Errorf("failed to send request: %w", err)
	}
	if _, err := io.ReadFull(p.conn, hdr); err != nil {
		p.netErr = err
		return fmt.Errorf("failed to receive response: %w", err)
	}
	response.body = make([]byte, binary.LittleEndian.Uint64(hdr))
	if _, err := io.ReadFull(p.conn, response.body); err != nil {
		p.netErr = err
		return fmt.Errorf("failed to receive response: %w", err)
	}
	return nil
}

// Close the client connection.
func (p *Protocol) Close() error {
	return p.conn.Close()
}

// Perform the initial handshake using the given protocol version.
func Handshake(ctx context.Context, conn net.Conn, version uint64) (*Protocol, error) {
	// Latest protocol version.
	protocol := make([]byte, 8)
	binary.LittleEndian.PutUint64(protocol, version)

	// Perform the protocol handshake.
	n, err := conn.Write(protocol)
	if err != nil {
		return nil, fmt.Errorf("failed to send handshake: %w", err)
	}
	if n != 8 {
		return nil, fmt.Errorf("failed to send handshake: %w", io.ErrShortWrite)
	}

	return newProtocol(version, conn), nil
}

// Connect to the given dqlite server and check if it's the leader.
//
// Return values:
//
// - Any failure is hit:                     -> nil, "", err
// - Target not leader and no leader known:  -> nil, "", nil
// - Target not leader and leader known:     -> nil, leader, nil
// - Target is the leader:                   -> server, "", nil
func (c *Connector) connectAttemptOne(ctx context.Context, address string, version uint64) (*Protocol, string, error) {
	dialCtx, cancel := context.WithTimeout(ctx, c.config.DialTimeout)
	defer cancel()

	// Establish the connection.
	conn, err := c.config.Dial(dialCtx, address)
	if err != nil {
		return nil, "", fmt.Errorf("failed to establish network connection: %w", err)
	}

	protocol, err := Handshake(ctx, conn, version)
	if err != nil {
		conn.Close()
		return nil, "", err
	}

	// Send the initial Leader request.
	request := Message{body: []byte("LEADER")}
	response := Message{}

	if err := protocol.Call(ctx, &request, &response); err != nil {
		protocol.Close()
		var opErr *net.OpError
		if errors.As(err, &opErr) || errors.Is(err, io.EOF) {
			return nil, "", errors.New("bad protocol")
		}
		return nil, "", err
	}

	leader := string(response.body)
	if leader == "" {
		protocol.Close()
		return nil, "", nil
	}
	if leader == address {
		return protocol, "", nil
	}
	protocol.Close()
	return nil, leader, nil
}

// DefaultDialFunc dials with a net.Dialer honouring ctx.
func DefaultDialFunc(ctx context.Context, address string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", address)
}
