// Recall case nd-aperture-lncdial
// Source: github.com/lightninglabs/aperture commit bc255c0d7c478c4a3f36242a852059baf68f85fd (lnc/lnc.go)
// Link: https://github.com/lightninglabs/aperture/commit/bc255c0d7c478c4a3f36242a852059baf68f85fd
// Bug: newConn performs a blocking (WithBlock) dial to the mailbox with a context derived only from context.Background() via WithCancel, so if the mailbox never completes the connection/handshake NewNodeConn hangs forever.
// Fix: wrap the dial in context.WithTimeout(ctxc, DefaultConnectionTimetout) so the blocking dial gives up after 10s.
// Rule: nodeadline
package lnc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

var (
	// DefaultConnectionTimetout is the default timeout for a connection
	// attempt.
	DefaultConnectionTimetout = time.Second * 10

	// DefaultStoreTimetout is the default timeout for a db transaction.
	DefaultStoreTimetout = time.Second * 10

	ErrSessionNotFound = errors.New("session not found")
)

// Session is a stand-in for the LNC session.
type Session struct {
	PassphraseEntropy []byte
	MailboxAddr       string
}

// Store is the session store.
type Store interface {
	GetSession(ctx context.Context, passphraseEntropy []byte) (*Session, error)
	AddSession(ctx context.Context, session *Session) error
}

// grpcClientConn is a stand-in for *grpc.ClientConn.
type grpcClientConn struct {
	nc net.Conn
}

func (c *grpcClientConn) Close() error { return c.nc.Close() }

// mailboxClient is a stand-in for mailbox.NewGrpcClient's transport: its Dial
// is used as the context dialer of the outer connection.
type mailboxClient struct {
	ctx    context.Context
	dialer net.Dialer
}

func newMailboxClient(ctx context.Context, addr string) (*mailboxClient, error) {
	if addr == "" {
		return nil, errors.New("no mailbox address")
	}
	return &mailboxClient{ctx: ctx}, nil
}

func (m *mailboxClient) Dial(ctx context.Context, addr string) (net.Conn, error) {
	return m.dialer.DialContext(ctx, "tcp", addr)
}

// grpcDialContext is a stand-in for grpc.DialContext with grpc.WithBlock():
// it dials with the given context dialer and blocks until the (noise)
// handshake with the remote side completed, honoring only ctx.
func grpcDialContext(ctx context.Context, target string,
	dial func(context.Context, string) (net.Conn, error)) (*grpcClientConn, error) {

	nc, err := dial(ctx, target)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() {
		_ = nc.SetDeadline(time.Now())
	})
	defer stop()

	// Wait for the handshake act from the other side.
	var act [50]byte
	if _, err := io.ReadFull(nc, act[:]); err != nil {
		nc.Close()
		return nil, err
	}
	_ = nc.SetDeadline(time.Time{})

	return &grpcClientConn{nc: nc}, nil
}

// conn is a connection to a remote LND node.
type conn struct {
	grpcClient *grpcClientConn
	cancel     func()

	stop sync.Once
}

// Close closes the underlying gRPC connection.
func (c *conn) Close() error {
	var err error
	c.stop.Do(func() {
		err = c.grpcClient.Close()
		c.cancel()
	})

	return err
}

// NodeConn handles all the connection logic to a remote LND node using LNC.
type NodeConn struct {
	store   Store
	session *Session
	conn    *conn
}

// NewNodeConn creates a new NodeConn instance.
func NewNodeConn(session *Session, store Store) (*NodeConn, error) {
	ctxt, cancel := context.WithTimeout(
		context.Background(), DefaultStoreTimetout,
	)
	defer cancel()

	dbSession, err := store.GetSession(ctxt, session.PassphraseEntropy)
	switch {
	case errors.Is(err, ErrSessionNotFound):
		err = store.AddSession(ctxt, session)
		if err != nil {
			return nil, fmt.Errorf("unable to add new session: %w",
				err)
		}

	case err != nil:
		return nil, fmt.Errorf("unable to get session(%v): %w",
			session.PassphraseEntropy, err)

	default:
		session = dbSession
	}

	nodeConn := &NodeConn{
		store:   store,
		session: session,
	}

	conn, err := nodeConn.newConn(session)
	if err != nil {
		return nil, err
	}

	nodeConn.conn = conn

	return nodeConn, nil
}

// newConn creates an LNC connection.
func (n *NodeConn) newConn(session *Session) (*conn, error) {
	ctxc, cancel := context.WithCancel(context.Background())
	transportConn, err := newMailboxClient(ctxc, session.MailboxAddr)
	if err != nil {
		cancel()
		return nil, err
	}

	ctxt, cancelT := context.WithTimeout(ctxc, DefaultConnectionTimetout)
	defer cancelT()

	grpcClient, err := grpcDialContext(
		ctxt, session.MailboxAddr, transportConn.Dial,
	)
	if err != nil {
		cancel()
		return nil, err
	}

	return &conn{
		grpcClient: grpcClient,
		cancel:     cancel,
	}, nil
}
