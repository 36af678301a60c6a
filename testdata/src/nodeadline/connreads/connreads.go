// Package connreads: connections dialed and then read with no deadline.
package connreads

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"time"
)

type state struct{ Nodes []string }

// The dialer's timeout covers only connecting: the exchange that follows
// can block forever (memberlist's push/pull before its fix).
func pushPull(addr string, timeout time.Duration) (*state, error) {
	dialer := net.Dialer{Timeout: timeout}
	conn, err := dialer.Dial("tcp", addr) // want `the connection from \(\*net.Dialer\).Dial is read with no deadline \(the dial's own timeout covers only connecting\), so a peer that stops answering blocks the read forever: call SetDeadline on it before reading`
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := sendLocal(conn); err != nil {
		return nil, err
	}
	return readRemote(conn)
}

func sendLocal(conn net.Conn) error {
	_, err := fmt.Fprintf(conn, "PUSH\n")
	return err
}

func readRemote(conn net.Conn) (*state, error) {
	var s state
	err := json.NewDecoder(bufio.NewReader(conn)).Decode(&s)
	return &s, err
}

// Read directly, after a dial with a context: the context bounds only the
// dial too.
func probe(ctx context.Context, addr string) ([]byte, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr) // want `the connection from \(\*net.Dialer\).DialContext is read with no deadline`
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	return buf[:n], err
}

// net.DialTimeout bounds only connecting too.
func status(addr string) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second) // want `the connection from net.DialTimeout is read with no deadline`
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return io.ReadAll(conn)
}

// Kept in fields only this package reaches and read later (telegraf's
// chrony plugin: the dialed conn became its client's Connection, read in
// Communicate with no deadline).
type rawClient struct {
	Connection io.ReadWriter
}

func (c *rawClient) communicate(req []byte) ([]byte, error) {
	if _, err := c.Connection.Write(req); err != nil {
		return nil, err
	}
	buf := make([]byte, 1024)
	n, err := c.Connection.Read(buf)
	return buf[:n], err
}

type Chrony struct {
	Server string
	conn   net.Conn
	client *rawClient
}

func (c *Chrony) Start(timeout time.Duration) error {
	conn, err := net.DialTimeout("udp", c.Server, timeout) // want `the connection from net.DialTimeout is read with no deadline`
	if err != nil {
		return err
	}
	c.conn = conn
	c.client = &rawClient{Connection: c.conn}
	return nil
}

func (c *Chrony) Stop() { c.conn.Close() }

// Negatives.

// The fix: every read through the field sets a deadline first.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c *deadlineConn) Read(b []byte) (int, error) {
	c.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(b)
}

type ChronyFixed struct {
	Server  string
	Timeout time.Duration
	conn    net.Conn
	client  *rawClient
}

func (c *ChronyFixed) Start() error {
	conn, err := net.DialTimeout("udp", c.Server, c.Timeout)
	if err != nil {
		return err
	}
	c.conn = conn
	c.client = &rawClient{Connection: &deadlineConn{Conn: c.conn, timeout: c.Timeout}}
	return nil
}

// A method sets the deadline through another load of the field.
type session struct{ conn net.Conn }

func (s *session) open(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	s.conn = conn
	return nil
}

func (s *session) arm(d time.Duration) { s.conn.SetReadDeadline(time.Now().Add(d)) }

func (s *session) read(buf []byte) (int, error) { return s.conn.Read(buf) }

// A watchdog closes the field's connection when ctx is done.
type watchedSession struct{ conn net.Conn }

func (s *watchedSession) open(ctx context.Context, addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	s.conn = conn
	go func() {
		<-ctx.Done()
		s.conn.Close()
	}()
	return nil
}

func (s *watchedSession) read(buf []byte) (int, error) { return s.conn.Read(buf) }

// An exported field of an exported type: other packages may use it.
type Exposed struct{ Conn net.Conn }

func (e *Exposed) Open(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	e.Conn = conn
	return nil
}

func (e *Exposed) read(buf []byte) (int, error) { return e.Conn.Read(buf) }

// A helper sets the deadline before it reads (the fix).
func pushPullFixed(addr string, timeout time.Duration) (*state, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return readRemoteBounded(conn, timeout)
}

func readRemoteBounded(conn net.Conn, timeout time.Duration) (*state, error) {
	conn.SetDeadline(time.Now().Add(timeout))
	var s state
	err := json.NewDecoder(conn).Decode(&s)
	return &s, err
}

// Kept in a field nothing reads.
type client struct{ conn net.Conn }

func (c *client) open(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	c.conn = conn
	return nil
}

// A watchdog closes it when ctx is done.
func watched(ctx context.Context, addr string) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	return io.ReadAll(conn)
}

// Wrapped by TLS: the handshake is judged on its own.
func wrapped(addr string, cfg *tls.Config) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	tc := tls.Client(conn, cfg)
	defer tc.Close()
	return nil
}

// Only written to.
func notify(addr string) error {
	conn, err := net.DialTimeout("udp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = io.WriteString(conn, "ping")
	return err
}

// A Unix socket waits on no peer.
func local(path string) ([]byte, error) {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return io.ReadAll(conn)
}

// A listener wrapper's Accept that peeks at what it accepts (syncthing's
// DowngradingListener): one silent client blocks every later Accept.
type sniffingListener struct {
	net.Listener
	tlsConfig *tls.Config
}

type peekedConn struct {
	*bufio.Reader
	net.Conn
}

func (c *peekedConn) Read(b []byte) (int, error) { return c.Reader.Read(b) }

func (l *sniffingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept() // want `Accept reads the connection it accepts with no deadline before returning it: a client that connects and sends nothing blocks this Accept, and the server's accept loop with it`
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(conn)
	bs, err := br.Peek(1)
	if err != nil {
		return conn, nil
	}
	wrapped := &peekedConn{br, conn}
	if bs[0] == 0x16 {
		return tls.Server(wrapped, l.tlsConfig), nil
	}
	return wrapped, nil
}

// The fix: a deadline around the peek.
type sniffingListenerFixed struct {
	net.Listener
}

func (l *sniffingListenerFixed) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	conn.SetReadDeadline(time.Now().Add(time.Second))
	br := bufio.NewReader(conn)
	_, err = br.Peek(1)
	conn.SetReadDeadline(time.Time{})
	if err != nil {
		return conn, nil
	}
	return &peekedConn{br, conn}, nil
}

// Handing the connection to a goroutine before reading it leaves Accept
// free.
type asyncListener struct {
	net.Listener
	conns chan net.Conn
}

func (l *asyncListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	go func() {
		br := bufio.NewReader(conn)
		br.Peek(1)
		l.conns <- conn
	}()
	return <-l.conns, nil
}

// An accept loop that is no Accept method: no listener wrapper's finding,
// but the accepted connection's (see nodeadline/accepted).
func serveOne(ln net.Listener) ([]byte, error) {
	conn, err := ln.Accept() // want `the connection accepted here is read with no deadline`
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return io.ReadAll(conn)
}

// A handshake that reads the new connection, then wraps it and hands it
// back (netbird's SSH version exchange): the read comes first, whatever
// callers do with the wrapper after.
type versioned struct {
	net.Conn
	version string
}

func exchangeVersion(c net.Conn) (*versioned, error) {
	if _, err := io.WriteString(c, "SSH-2.0-client\r\n"); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return nil, err
	}
	return &versioned{Conn: c, version: line}, nil
}

func dialVersioned(ctx context.Context, addr string) (*versioned, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr) // want `the connection from \(\*net.Dialer\).DialContext is read with no deadline`
	if err != nil {
		return nil, err
	}
	v, err := exchangeVersion(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return v, nil
}

// A watchdog set up before the handshake closes the connection when ctx
// is done: bounded by the caller's deadline.
func dialWatched(ctx context.Context, addr string) (*versioned, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			conn.Close()
		case <-done:
		}
	}()
	return exchangeVersion(conn)
}

// A deferred closure that only closes the connection on failure runs
// after the read: no watchdog.
func dialDeferredClose(ctx context.Context, addr string) (_ *versioned, err error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr) // want `the connection from \(\*net.Dialer\).DialContext is read with no deadline`
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			conn.Close()
		}
	}()
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return nil, err
	}
	return &versioned{Conn: conn, version: line}, nil
}

// A client that keeps the connection and a reader around it in a field
// other packages can reach, and sets a deadline per request elsewhere:
// building the reader reads nothing, so nothing is read before the
// connection escapes.
type Session struct {
	Conn   net.Conn
	Reader *bufio.Reader
}

func openSession(ctx context.Context, addr string) (*Session, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(conn)
	return &Session{Conn: conn, Reader: br}, nil
}

// mc-pinger's ping: the buffered reader is handed to a helper of the
// package that reads the reply; the dial's context bounds only the dial.
type pinger struct{ ctx context.Context }

func (p *pinger) ping(addr string) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(p.ctx, "tcp", addr) // want `the connection from \(\*net.Dialer\).DialContext is read with no deadline`
	if err != nil {
		return "", err
	}
	defer conn.Close()
	rd := bufio.NewReader(conn)
	w := bufio.NewWriter(conn)
	if _, err := w.WriteString("ping\n"); err != nil {
		return "", err
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	return p.readReply(rd)
}

func (p *pinger) readReply(rd *bufio.Reader) (string, error) {
	return rd.ReadString('\n')
}

// Fixed: a read deadline before the reply.
func (p *pinger) pingFixed(addr string, timeout time.Duration) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(p.ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(timeout))
	return p.readReply(bufio.NewReader(conn))
}

// The helper only hands the reader back for later: nothing is read yet.
func asReader(rd *bufio.Reader) io.Reader { return rd }

func (p *pinger) open(addr string) (io.Reader, net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(p.ctx, "tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	return asReader(bufio.NewReader(conn)), conn, nil
}
