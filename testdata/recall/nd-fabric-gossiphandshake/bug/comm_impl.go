// Recall case nd-fabric-gossiphandshake
// Source: github.com/hyperledger/fabric commit 209e0539b6b2527109df3f350fb2736dd2a8240d (gossip/comm/comm_impl.go)
// Link: https://github.com/hyperledger/fabric/commit/209e0539b6b2527109df3f350fb2736dd2a8240d
// Bug: Handshake opens the ad-hoc gossip stream to a bootstrap/anchor peer with context.Background(), so opening the stream (and the stream itself) has no deadline and can hang forever on an unresponsive peer.
// Fix: the stream is opened with context.WithTimeout(context.Background(), handshakeTimeout) and cancelled on return.
// Rule: nodeadline
package comm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

const (
	defDialTimeout  = time.Second * time.Duration(3)
	defConnTimeout  = time.Second * time.Duration(2)
	defRecvBuffSize = 20
	defSendBuffSize = 20
)

// RemotePeer defines a peer's endpoint and its PKIid
type RemotePeer struct {
	Endpoint string
	PKIID    []byte
}

// ConnectionInfo is what the remote side told us about itself.
type ConnectionInfo struct {
	ID       []byte
	Identity []byte
	Endpoint string
}

// clientConn stands in for *grpc.ClientConn.
type clientConn struct {
	target string
}

func dialContext(ctx context.Context, target string) (*clientConn, error) {
	d := net.Dialer{}
	c, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		return nil, err
	}
	c.Close()
	return &clientConn{target: target}, nil
}

func (cc *clientConn) Close() error { return nil }

// gossipClient stands in for proto.GossipClient.
type gossipClient struct {
	cc *clientConn
}

func newGossipClient(cc *clientConn) *gossipClient { return &gossipClient{cc: cc} }

// Ping performs a unary round trip, bounded by ctx.
func (cl *gossipClient) Ping(ctx context.Context) error {
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", cl.cc.target)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if _, err := conn.Write([]byte("PING\n")); err != nil {
		return err
	}
	_, err = bufio.NewReader(conn).ReadString('\n')
	return err
}

// clientStream stands in for proto.Gossip_GossipStreamClient. Like a gRPC
// stream, it lives as long as the context it was opened with.
type clientStream struct {
	ctx  context.Context
	conn net.Conn
	r    *bufio.Reader
}

// GossipStream opens a bidirectional stream; the stream is torn down only
// when ctx is done.
func (cl *gossipClient) GossipStream(ctx context.Context) (*clientStream, error) {
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", cl.cc.target)
	if err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, func() { conn.Close() })
	if _, err := conn.Write([]byte("STREAM\n")); err != nil {
		conn.Close()
		return nil, err
	}
	r := bufio.NewReader(conn)
	// wait for the stream to be accepted (response headers)
	if _, err := r.ReadString('\n'); err != nil {
		conn.Close()
		return nil, err
	}
	return &clientStream{ctx: ctx, conn: conn, r: r}, nil
}

func (s *clientStream) Context() context.Context { return s.ctx }

func (s *clientStream) Send(b []byte) error {
	_, err := s.conn.Write(append(b, '\n'))
	return err
}

func (s *clientStream) Recv() ([]byte, error) {
	line, err := s.r.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(line, []byte("\n")), nil
}

type commImpl struct {
	PKIID        []byte
	peerIdentity []byte
	dialTimeout  time.Duration
}

func (c *commImpl) Handshake(remotePeer *RemotePeer) ([]byte, error) {
	ctx := context.Background()
	ctx, _ = context.WithTimeout(ctx, c.dialTimeout)
	cc, err := dialContext(ctx, remotePeer.Endpoint)
	if err != nil {
		return nil, err
	}
	defer cc.Close()

	cl := newGossipClient(cc)
	ctx, cancel := context.WithTimeout(context.Background(), defConnTimeout)
	defer cancel()
	if err = cl.Ping(ctx); err != nil {
		return nil, err
	}

	stream, err := cl.GossipStream(context.Background())
	if err != nil {
		return nil, err
	}
	connInfo, err := c.authenticateRemotePeer(stream, true)
	if err != nil {
		return nil, err
	}
	if len(remotePeer.PKIID) > 0 && !bytes.Equal(connInfo.ID, remotePeer.PKIID) {
		return nil, fmt.Errorf("PKI-ID of remote peer doesn't match expected PKI-ID")
	}
	return connInfo.Identity, nil
}

func (c *commImpl) authenticateRemotePeer(stream *clientStream, initiator bool) (*ConnectionInfo, error) {
	remoteAddress := stream.conn.RemoteAddr().String()
	stream.Send(append([]byte("CONN "), c.PKIID...))
	m, err := readWithTimeout(stream, defConnTimeout, remoteAddress)
	if err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("No PKI-ID")
	}
	return &ConnectionInfo{ID: m, Identity: m, Endpoint: remoteAddress}, nil
}

func readWithTimeout(stream *clientStream, timeout time.Duration, address string) ([]byte, error) {
	incChan := make(chan []byte, 1)
	errChan := make(chan error, 1)
	go func() {
		m, err := stream.Recv()
		if err != nil {
			errChan <- err
			return
		}
		incChan <- m
	}()
	select {
	case <-time.NewTicker(timeout).C:
		return nil, errors.New("Timed out waiting for connection message from " + address)
	case m := <-incChan:
		return m, nil
	case err := <-errChan:
		return nil, err
	}
}
