// Recall case sd-quicgo-openstream-bg
// Source: github.com/quic-go/quic-go commit d2209ba5534dd68671d5155e7b771091275461fd (http3/client.go)
// Link: https://github.com/quic-go/quic-go/commit/d2209ba5534dd68671d5155e7b771091275461fd
// Bug: http3 client.RoundTrip opens the request stream with c.session.OpenStreamSync(context.Background()) although req.Context() is in scope, so a request whose deadline expires (or that is cancelled) keeps waiting for stream credit from the peer.
// Fix: RoundTrip calls c.session.OpenStreamSync(req.Context()).
// Rule: sharedeadline
package http3

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// ---------------- http3/client.go ----------------

type roundTripperOpts struct {
	DisableCompression bool
}

// client is a HTTP3 client doing requests
type client struct {
	tlsConf *tls.Config
	config  *Config
	opts    *roundTripperOpts

	dialOnce     sync.Once
	handshakeErr error

	hostname string
	session  *Session
}

func newClient(hostname string, tlsConf *tls.Config, opts *roundTripperOpts, quicConfig *Config) *client {
	if tlsConf == nil {
		tlsConf = &tls.Config{}
	} else {
		tlsConf = tlsConf.Clone()
	}
	if quicConfig == nil {
		quicConfig = defaultQuicConfig
	}
	return &client{
		hostname: hostname,
		tlsConf:  tlsConf,
		config:   quicConfig,
		opts:     opts,
	}
}

func (c *client) dial() error {
	var err error
	c.session, err = dialAddr(c.hostname, c.tlsConf, c.config)
	return err
}

func (c *client) Close() error {
	return c.session.Close()
}

// RoundTrip executes a request and returns a response
func (c *client) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		return nil, errors.New("http3: unsupported scheme")
	}
	if req.URL.Host != c.hostname {
		return nil, fmt.Errorf("http3 client BUG: RoundTrip called for the wrong client (expected %s, got %s)", c.hostname, req.Host)
	}

	c.dialOnce.Do(func() {
		c.handshakeErr = c.dial()
	})

	if c.handshakeErr != nil {
		return nil, c.handshakeErr
	}

	str, err := c.session.OpenStreamSync(req.Context())
	if err != nil {
		return nil, err
	}

	// Request Cancellation:
	// This go routine keeps running even after RoundTrip() returns.
	// It is shut down when the application is done processing the body.
	reqDone := make(chan struct{})
	go func() {
		select {
		case <-req.Context().Done():
			str.CancelWrite()
			str.CancelRead()
		case <-reqDone:
		}
	}()

	rsp, err := c.doRequest(req, str, reqDone)
	if err != nil { // if any error occurred
		close(reqDone)
		str.CancelWrite()
	}
	return rsp, err
}

func (c *client) doRequest(req *http.Request, str *Stream, reqDone chan struct{}) (*http.Response, error) {
	if err := req.Write(str); err != nil {
		return nil, err
	}
	res, err := http.ReadResponse(bufio.NewReader(str), req)
	if err != nil {
		return nil, err
	}
	res.Body = &responseBody{ReadCloser: res.Body, reqDone: reqDone}
	return res, nil
}

type responseBody struct {
	io.ReadCloser
	once    sync.Once
	reqDone chan struct{}
}

func (r *responseBody) Close() error {
	r.once.Do(func() { close(r.reqDone) })
	return r.ReadCloser.Close()
}

// ---------------- stub of the quic-go Session / Stream ----------------

// Config mirrors the quic.Config fields the stub honours.
type Config struct {
	HandshakeTimeout time.Duration
	IdleTimeout      time.Duration
}

var defaultQuicConfig = &Config{
	HandshakeTimeout: 10 * time.Second,
	IdleTimeout:      30 * time.Second,
}

const (
	frameMaxStreams byte = 0x12 // MAX_STREAMS: peer grants more streams
	frameStream     byte = 0x08 // STREAM: data for stream id
)

// Session stands in for quic.Session over a UDP socket. Opening a stream
// needs stream credit that only the peer can grant (MAX_STREAMS frames).
type Session struct {
	conn net.Conn

	mu         sync.Mutex
	nextStream byte
	maxStreams byte
	streams    map[byte]*Stream
	credit     chan struct{} // signalled when a MAX_STREAMS frame arrives
	closed     chan struct{}
	closeOnce  sync.Once
	closeErr   error
}

func dialAddr(addr string, _ *tls.Config, config *Config) (*Session, error) {
	d := net.Dialer{Timeout: config.HandshakeTimeout}
	conn, err := d.Dial("udp", addr)
	if err != nil {
		return nil, err
	}
	s := &Session{
		conn:    conn,
		streams: map[byte]*Stream{},
		credit:  make(chan struct{}, 1),
		closed:  make(chan struct{}),
	}
	go s.run(config.IdleTimeout)
	return s, nil
}

// run is the session's receive loop; the idle timeout closes the session.
func (s *Session) run(idleTimeout time.Duration) {
	buf := make([]byte, 1500)
	for {
		if err := s.conn.SetReadDeadline(time.Now().Add(idleTimeout)); err != nil {
			s.closeWithError(err)
			return
		}
		n, err := s.conn.Read(buf)
		if err != nil {
			s.closeWithError(err)
			return
		}
		s.handlePacket(buf[:n])
	}
}

func (s *Session) handlePacket(p []byte) {
	if len(p) < 2 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch p[0] {
	case frameMaxStreams:
		if p[1] > s.maxStreams {
			s.maxStreams = p[1]
			select {
			case s.credit <- struct{}{}:
			default:
			}
		}
	case frameStream:
		if str, ok := s.streams[p[1]]; ok {
			str.deliver(append([]byte(nil), p[2:]...))
		}
	}
}

// OpenStreamSync opens a new bidirectional stream, blocking until the peer
// allows it or ctx is done.
func (s *Session) OpenStreamSync(ctx context.Context) (*Stream, error) {
	for {
		s.mu.Lock()
		if s.nextStream < s.maxStreams {
			str := newStream(s, s.nextStream)
			s.streams[s.nextStream] = str
			s.nextStream++
			s.mu.Unlock()
			return str, nil
		}
		s.mu.Unlock()

		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.closed:
			return nil, s.closeErr
		case <-s.credit:
		}
	}
}

func (s *Session) closeWithError(err error) {
	s.closeOnce.Do(func() {
		s.closeErr = err
		close(s.closed)
	})
}

func (s *Session) Close() error {
	s.closeWithError(errors.New("session closed"))
	return s.conn.Close()
}

// Stream stands in for quic.Stream.
type Stream struct {
	s          *Session
	id         byte
	data       chan []byte
	pending    []byte
	readCanc   chan struct{}
	writeCanc  chan struct{}
	cancelRead sync.Once
	cancelWrit sync.Once
}

func newStream(s *Session, id byte) *Stream {
	return &Stream{
		s:         s,
		id:        id,
		data:      make(chan []byte, 64),
		readCanc:  make(chan struct{}),
		writeCanc: make(chan struct{}),
	}
}

func (str *Stream) deliver(p []byte) {
	select {
	case str.data <- p:
	default: // receive buffer full: drop, the peer retransmits
	}
}

func (str *Stream) Read(p []byte) (int, error) {
	if len(str.pending) == 0 {
		select {
		case b := <-str.data:
			str.pending = b
		case <-str.readCanc:
			return 0, errors.New("stream read canceled")
		case <-str.s.closed:
			return 0, str.s.closeErr
		}
	}
	n := copy(p, str.pending)
	str.pending = str.pending[n:]
	return n, nil
}

func (str *Stream) Write(p []byte) (int, error) {
	select {
	case <-str.writeCanc:
		return 0, errors.New("stream write canceled")
	default:
	}
	frame := append([]byte{frameStream, str.id}, p...)
	if _, err := str.s.conn.Write(frame); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (str *Stream) CancelRead()  { str.cancelRead.Do(func() { close(str.readCanc) }) }
func (str *Stream) CancelWrite() { str.cancelWrit.Do(func() { close(str.writeCanc) }) }
