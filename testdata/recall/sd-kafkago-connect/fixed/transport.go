// Recall case sd-kafkago-connect
// Source: github.com/segmentio/kafka-go commit b0b1cdc71d4ec48aa1f78866d03bd9c92e0fd3f9 (transport.go)
// Link: https://github.com/segmentio/kafka-go/pull/460
// Bug: connGroup.connect() builds its dial/SASL context from context.Background() plus the pool's dialTimeout, so the caller's ctx passed to grabConnOrConnect never reaches the dial function and a cancelled or short-deadline request still dials/authenticates for the full dialTimeout.
// Fix: connect takes the caller's ctx (g.connect(ctx)) and derives its dial deadline with context.WithDeadline(ctx, deadline).
// Rule: sharedeadline
package kafka

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

var BrokerNotAvailable = errors.New("kafka: broker not available")
var SASLAuthenticationFailed = errors.New("kafka: SASL authentication failed")

// --- minimal stand-ins for kafka-go/protocol and kafka-go/sasl ---

// protocolConn is a reduced protocol.Conn: a net.Conn speaking length-prefixed frames.
type protocolConn struct {
	conn     net.Conn
	clientID string
	versions map[int16]int16
}

func newProtocolConn(c net.Conn, clientID string) *protocolConn {
	return &protocolConn{conn: c, clientID: clientID}
}

func (pc *protocolConn) SetDeadline(t time.Time) error { return pc.conn.SetDeadline(t) }

func (pc *protocolConn) SetVersions(v map[int16]int16) { pc.versions = v }

func (pc *protocolConn) Close() error { return pc.conn.Close() }

// RoundTrip writes a request frame and reads a response frame.
func (pc *protocolConn) RoundTrip(req []byte) ([]byte, error) {
	var size [4]byte
	binary.BigEndian.PutUint32(size[:], uint32(len(req)))
	if _, err := pc.conn.Write(append(size[:], req...)); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(pc.conn, size[:]); err != nil {
		return nil, err
	}
	res := make([]byte, binary.BigEndian.Uint32(size[:]))
	_, err := io.ReadFull(pc.conn, res)
	return res, err
}

// SASLMechanism mirrors sasl.Mechanism.
type SASLMechanism interface {
	Name() string
	Start(ctx context.Context) (SASLStateMachine, []byte, error)
}

// SASLStateMachine mirrors sasl.StateMachine.
type SASLStateMachine interface {
	Next(ctx context.Context, challenge []byte) (done bool, response []byte, err error)
}

func saslHandshakeRoundTrip(pc *protocolConn, mechanism string) error {
	_, err := pc.RoundTrip([]byte("sasl-handshake:" + mechanism))
	return err
}

func saslAuthenticateRoundTrip(pc *protocolConn, data []byte) ([]byte, error) {
	return pc.RoundTrip(data)
}

func authenticateSASL(ctx context.Context, pc *protocolConn, mechanism SASLMechanism) error {
	if err := saslHandshakeRoundTrip(pc, mechanism.Name()); err != nil {
		return err
	}

	sess, state, err := mechanism.Start(ctx)
	if err != nil {
		return err
	}

	for completed := false; !completed; {
		challenge, err := saslAuthenticateRoundTrip(pc, state)
		switch err {
		case nil:
		case io.EOF:
			return SASLAuthenticationFailed
		default:
			return err
		}

		completed, state, err = sess.Next(ctx, challenge)
		if err != nil {
			return err
		}
	}

	return nil
}

// --- transport.go (reduced) ---

// Default dialer used by the transport connections when no Dial function
// was configured by the program.
var defaultDialer = net.Dialer{
	Timeout: 3 * time.Second,
}

type connPool struct {
	dial        func(context.Context, string, string) (net.Conn, error)
	dialTimeout time.Duration
	idleTimeout time.Duration
	clientID    string
	tls         *tls.Config
	sasl        SASLMechanism

	mutex sync.RWMutex
	conns map[int]*connGroup // data connections used for produce/fetch/etc...
	ctrl  *connGroup         // control connections used for metadata requests
}

func newConnPool(network, address string) *connPool {
	p := &connPool{
		dial:        defaultDialer.DialContext,
		dialTimeout: 5 * time.Second,
		idleTimeout: 30 * time.Second,
		clientID:    "kafka-go",
		conns:       make(map[int]*connGroup),
	}
	p.ctrl = &connGroup{network: network, address: address, pool: p}
	return p
}

// grabBrokerConn returns a connection to a specific broker represented by the
// broker id passed as argument.
func (p *connPool) grabBrokerConn(ctx context.Context, brokerID int) (*conn, error) {
	p.mutex.RLock()
	c := p.conns[brokerID]
	p.mutex.RUnlock()
	if c == nil {
		return nil, BrokerNotAvailable
	}
	return c.grabConnOrConnect(ctx)
}

// grabClusterConn returns the connection to the kafka cluster that the pool is
// configured to connect to.
func (p *connPool) grabClusterConn(ctx context.Context) (*conn, error) {
	return p.ctrl.grabConnOrConnect(ctx)
}

// RoundTrip sends req on a pooled connection, honoring ctx.
func (p *connPool) RoundTrip(ctx context.Context, brokerID int, req []byte) ([]byte, error) {
	var c *conn
	var err error
	if brokerID >= 0 {
		c, err = p.grabBrokerConn(ctx, brokerID)
	} else {
		c, err = p.grabClusterConn(ctx)
	}
	if err != nil {
		return nil, err
	}
	return c.roundTrip(ctx, req)
}

// connGroup represents a logical connection group to a kafka broker.
type connGroup struct {
	network string
	address string
	pool    *connPool

	mutex     sync.Mutex
	closed    bool
	idleConns []*conn // stack of idle connections
}

func (g *connGroup) grabConnOrConnect(ctx context.Context) (*conn, error) {
	c := g.grabConn()

	if c == nil {
		connChan := make(chan *conn)
		errChan := make(chan error)

		go func() {
			c, err := g.connect(ctx)
			if err != nil {
				select {
				case errChan <- err:
				case <-ctx.Done():
				}
			} else {
				select {
				case connChan <- c:
				case <-ctx.Done():
					if !g.releaseConn(c) {
						c.close()
					}
				}
			}
		}()

		select {
		case c = <-connChan:
		case err := <-errChan:
			return nil, err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}

	return c, nil
}

func (g *connGroup) grabConn() *conn {
	g.mutex.Lock()
	defer g.mutex.Unlock()

	if len(g.idleConns) == 0 {
		return nil
	}

	n := len(g.idleConns) - 1
	c := g.idleConns[n]
	g.idleConns[n] = nil
	g.idleConns = g.idleConns[:n]

	if c.timer != nil {
		c.timer.Stop()
	}

	return c
}

func (g *connGroup) removeConn(c *conn) bool {
	g.mutex.Lock()
	defer g.mutex.Unlock()

	if c.timer != nil {
		c.timer.Stop()
	}

	for i, x := range g.idleConns {
		if x == c {
			copy(g.idleConns[i:], g.idleConns[i+1:])
			n := len(g.idleConns) - 1
			g.idleConns[n] = nil
			g.idleConns = g.idleConns[:n]
			return true
		}
	}

	return false
}

func (g *connGroup) releaseConn(c *conn) bool {
	idleTimeout := g.pool.idleTimeout

	g.mutex.Lock()
	defer g.mutex.Unlock()

	if g.closed {
		return false
	}

	if c.timer != nil {
		c.timer.Reset(idleTimeout)
	} else {
		c.timer = time.AfterFunc(idleTimeout, func() {
			if g.removeConn(c) {
				c.close()
			}
		})
	}

	g.idleConns = append(g.idleConns, c)
	return true
}

func (g *connGroup) connect(ctx context.Context) (*conn, error) {
	deadline := time.Now().Add(g.pool.dialTimeout)

	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	netConn, err := g.pool.dial(ctx, g.network, g.address)
	if err != nil {
		return nil, err
	}
	defer func() {
		if netConn != nil {
			netConn.Close()
		}
	}()

	if g.pool.tls != nil {
		netConn = tls.Client(netConn, g.pool.tls)
	}

	pc := newProtocolConn(netConn, g.pool.clientID)
	pc.SetDeadline(deadline)

	if g.pool.sasl != nil {
		if err := authenticateSASL(ctx, pc, g.pool.sasl); err != nil {
			return nil, err
		}
	}

	res, err := pc.RoundTrip([]byte("api-versions"))
	if err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("negotating API versions with kafka broker at %s: empty response", g.address)
	}

	pc.SetVersions(map[int16]int16{})
	pc.SetDeadline(time.Time{})

	reqs := make(chan connRequest)
	c := &conn{reqs: reqs, group: g}
	go c.run(pc, reqs)

	netConn = nil
	return c, nil
}

type connRequest struct {
	req []byte
	res chan connResponse
}

type connResponse struct {
	res []byte
	err error
}

type conn struct {
	reqs  chan<- connRequest
	once  sync.Once
	group *connGroup
	timer *time.Timer
}

func (c *conn) close() {
	c.once.Do(func() { close(c.reqs) })
}

func (c *conn) run(pc *protocolConn, reqs <-chan connRequest) {
	defer pc.Close()
	for r := range reqs {
		res, err := pc.RoundTrip(r.req)
		r.res <- connResponse{res: res, err: err}
	}
}

func (c *conn) roundTrip(ctx context.Context, req []byte) ([]byte, error) {
	ch := make(chan connResponse, 1)
	select {
	case c.reqs <- connRequest{req: req, res: ch}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-ch:
		if r.err == nil {
			c.group.releaseConn(c)
		}
		return r.res, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
