package connreads

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"time"
)

// A connection kept as an io.ReadWriteCloser and a bufio.Reader around it:
// nothing can set a deadline through either, and requests are written
// through a method the connection is handed to as an io.Writer (dropbox's
// kafka connection.sendRequest).
type request interface {
	WriteTo(w io.Writer) (int64, error)
}

type kconn struct {
	rw     io.ReadWriteCloser
	rd     *bufio.Reader
	closed int32
}

func newKConn(addr string, timeout time.Duration) (*kconn, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout) // want `the connection from net.DialTimeout is read with no deadline`
	if err != nil {
		return nil, err
	}
	return &kconn{rw: conn, rd: bufio.NewReader(conn)}, nil
}

func (c *kconn) Close() error {
	if atomic.CompareAndSwapInt32(&c.closed, 0, 1) {
		return c.rw.Close()
	}
	return nil
}

func (c *kconn) send(req request) ([]byte, error) {
	if _, err := req.WriteTo(c.rw); err != nil {
		return nil, err
	}
	line, err := c.rd.ReadBytes('\n')
	return line, err
}

// Not reported: the same connection read by a goroutine that a timer of
// the package closes it under (kafka's fix: a watchdog).
type wconn struct {
	rw      io.ReadWriteCloser
	rd      *bufio.Reader
	timeout time.Duration
}

func newWConn(addr string, timeout time.Duration) (*wconn, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return &wconn{rw: conn, rd: bufio.NewReader(conn), timeout: timeout}, nil
}

type readResult struct {
	b   *bytes.Reader
	err error
}

func (c *wconn) send(req request) (*bytes.Reader, error) {
	ch := make(chan readResult, 1)
	go func() {
		b, err := c.sendHelper(req)
		ch <- readResult{b, err}
	}()
	select {
	case r := <-ch:
		return r.b, r.err
	case <-time.After(2 * c.timeout):
		c.rw.Close()
		return nil, errors.New("request timed out")
	}
}

func (c *wconn) sendHelper(req request) (*bytes.Reader, error) {
	if _, err := req.WriteTo(c.rw); err != nil {
		return nil, err
	}
	line, err := c.rd.ReadBytes('\n')
	return bytes.NewReader(line), err
}

// Not reported: a reader goroutine that owns the connection for its
// lifetime (wsrpc's handleRead): its idle waits between replies are the
// connection's keepalive policy; callers wait for their reply elsewhere.
type muxConn struct {
	conn    net.Conn
	replies chan string
}

func dialMux(addr string, timeout time.Duration) (*muxConn, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	m := &muxConn{conn: conn, replies: make(chan string, 16)}
	go m.readLoop()
	return m, nil
}

func (m *muxConn) readLoop() {
	sc := bufio.NewScanner(m.conn)
	for sc.Scan() {
		m.replies <- sc.Text()
	}
}
