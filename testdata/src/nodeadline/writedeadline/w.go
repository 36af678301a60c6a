// Package writedeadline: connections whose reads get a deadline and whose
// writes never do, in a package that never sets a write deadline.
package writedeadline

import (
	"bufio"
	"io"
	"net"
	"time"
)

// fetch bounds the exchange's reads, then writes the request with no
// deadline (fortio's FastClient.Fetch; fixed with SetDeadline).
func fetch(addr string, req []byte, timeout time.Duration) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	if _, err := conn.Write(req); err != nil { // want `this connection's reads get a deadline but its writes never do: a peer that stops reading blocks this write forever once the send buffer fills; set a write deadline too \(SetDeadline covers both\)`
		return nil, err
	}
	return io.ReadAll(conn)
}

// peer keeps its connection in a field: every read is bounded by the idle
// timeout, every message written with none (dcrd's Peer.writeMessage).
// Not reported: connections in fields were measured noisy (quic-go,
// go-mysql and go-plugin bound reads only, by design).
type peer struct {
	conn net.Conn
	idle time.Duration
}

func encode(w io.Writer, msg []byte) (int, error) { return w.Write(msg) }

func (p *peer) readMessage(buf []byte) (int, error) {
	if err := p.conn.SetReadDeadline(time.Now().Add(p.idle)); err != nil {
		return 0, err
	}
	return p.conn.Read(buf)
}

func (p *peer) writeMessage(msg []byte) error {
	_, err := encode(p.conn, msg)
	return err
}

// A deadline only cleared is no bound on reads: nothing to compare with.
func handshake(conn net.Conn, hello []byte) error {
	conn.SetReadDeadline(time.Time{})
	_, err := conn.Write(hello)
	return err
}

// A read deadline scoped to the handshake read and cleared when the
// function returns (xray's upgrade): the write is not under it.
func upgrade(conn net.Conn, resp []byte, d time.Duration) error {
	conn.SetReadDeadline(time.Now().Add(d))
	defer conn.SetReadDeadline(time.Time{})
	if _, err := conn.Read(make([]byte, 512)); err != nil {
		return err
	}
	_, err := conn.Write(resp)
	return err
}

// The write comes before the read deadline is set: the author bounded
// only the wait for the answer, and the request is judged with the
// connection's other writes (none bounded here, none reported).
func ask(conn net.Conn, q []byte, d time.Duration) error {
	w := bufio.NewWriter(conn)
	w.Write(q)
	w.Flush()
	conn.SetReadDeadline(time.Now().Add(d))
	_, err := conn.Read(make([]byte, 1))
	return err
}

// A deadline cleared through a package variable that only ever holds the
// zero time (v2ray's `var zeroTime time.Time`): the request read was
// bounded, the relay's writes are not under that deadline.
var zeroTime time.Time

func relay(conn net.Conn, out <-chan []byte) error {
	conn.SetReadDeadline(time.Now().Add(4 * time.Second))
	if _, err := conn.Read(make([]byte, 64)); err != nil {
		return err
	}
	conn.SetReadDeadline(zeroTime)
	for data := range out {
		if _, err := conn.Write(data); err != nil {
			return err
		}
	}
	return nil
}
