// Package connfield: fixed connection deadlines set where the connection is
// kept in a field or comes from a helper of the package.
package connfield

import (
	"context"
	"io"
	"net"
	"time"
)

// Client keeps the connection it dialed.
type Client struct {
	conn    net.Conn
	timeout time.Duration
}

func Dial(addr string) (*Client, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, timeout: 5 * time.Second}, nil
}

// roundTrip receives no context and sets its own budget.
func (c *Client) roundTrip(req []byte) ([]byte, error) {
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	if _, err := c.conn.Write(req); err != nil {
		return nil, err
	}
	buf := make([]byte, 4)
	_, err := io.ReadFull(c.conn, buf)
	return buf, err
}

// --- reported ---

func (c *Client) Call(ctx context.Context, req []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.roundTrip(req) // want `\(\*connfield.Client\).roundTrip sets SetDeadline\(time.Now\(\).Add\(…\)\) on its connection from a fixed timeout, ignoring ctx's deadline`
}

// Through a second helper of the package.
func (c *Client) ping() error {
	_, err := c.roundTrip([]byte("ping"))
	return err
}

func (c *Client) Ping(ctx context.Context) error {
	return c.ping() // want `\(\*connfield.Client\).ping sets SetDeadline`
}

// Per attempt in a retry loop, on the kept connection.
func (c *Client) Read(ctx context.Context) ([]byte, error) {
	var err error
	for range 3 {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second)) // want `SetReadDeadline\(time.Now\(\).Add\(5 \* time.Second\)\) ignores ctx's deadline`
		buf := make([]byte, 4)
		if _, err = io.ReadFull(c.conn, buf); err == nil {
			return buf, nil
		}
	}
	return nil, err
}

type Pool struct{ addr string }

// get returns a connection it dialed.
func (p *Pool) get(timeout time.Duration) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", p.addr, timeout)
	if err != nil {
		return nil, err
	}
	return conn, nil
}

func (p *Pool) Send(ctx context.Context, msg []byte) error {
	c, err := p.get(time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetWriteDeadline(time.Now().Add(10 * time.Second)) // want `SetWriteDeadline\(time.Now\(\).Add\(10 \* time.Second\)\) ignores ctx's deadline`
	_, err = c.Write(msg)
	return err
}

// --- not reported ---

// The caller takes the earlier of the two.
func (c *Client) CallWithin(ctx context.Context, req []byte) ([]byte, error) {
	if dl, ok := ctx.Deadline(); ok {
		c.conn.SetDeadline(dl)
		defer c.conn.SetDeadline(time.Time{})
	}
	return c.roundTrip(req)
}

// Without a context nothing is ignored.
func (c *Client) Hello() error {
	_, err := c.roundTrip([]byte("hello"))
	return err
}

// session keeps connections it accepted: a server sets its own budget.
type session struct {
	conn net.Conn
}

func serve(l net.Listener) (*session, error) {
	conn, err := l.Accept()
	if err != nil {
		return nil, err
	}
	return &session{conn: conn}, nil
}

func (s *session) reply(b []byte) error {
	s.conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, err := s.conn.Write(b)
	return err
}

func (s *session) Handle(ctx context.Context, b []byte) error {
	return s.reply(b)
}

// wrapped keeps a connection handed in by its user: of unknown origin.
type wrapped struct {
	conn net.Conn
}

func wrap(conn net.Conn) *wrapped { return &wrapped{conn: conn} }

func (w *wrapped) send(b []byte) error {
	w.conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, err := w.conn.Write(b)
	return err
}

func (w *wrapped) Send(ctx context.Context, b []byte) error {
	return w.send(b)
}

// watched closes its connection when the context of its run ends.
type watched struct {
	conn net.Conn
}

func dialWatched(ctx context.Context, addr string) (*watched, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	w := &watched{conn: conn}
	go func() {
		<-ctx.Done()
		w.conn.Close()
	}()
	return w, nil
}

func (w *watched) send(b []byte) error {
	w.conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, err := w.conn.Write(b)
	return err
}

func (w *watched) Send(ctx context.Context, b []byte) error {
	return w.send(b)
}
