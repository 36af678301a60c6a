// Recall case nd-mc-pinger-readdeadline
// Source: github.com/raqbit/mc-pinger commit 9baeff22a28b666d7f564d760331c9a5df7ed61d (pinger.go)
// Link: https://github.com/raqbit/mc-pinger/commit/9baeff22a28b666d7f564d760331c9a5df7ed61d
// Bug: The ctx/timeout only bounds the TCP dial; after connecting, readPacket reads the status response from the conn with no read deadline, so a bound-but-paused server blocks Ping forever.
// Fix: Set conn.SetReadDeadline(time.Now().Add(p.Timeout)) before reading the response packet.
// Rule: nodeadline
package mcpinger

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// Pinger allows you to retrieve server info.
type Pinger interface {
	Ping() (*ServerInfo, error)
}

type ServerInfo struct {
	Raw string
}

type mcPinger struct {
	Host    string
	Port    uint16
	Context context.Context
	Timeout time.Duration
}

type responsePacket struct {
	Json string
}

func (p *mcPinger) Ping() (*ServerInfo, error) {
	if p.Timeout > 0 && p.Context == nil {
		ctx, cancel := context.WithTimeout(context.Background(), p.Timeout)
		p.Context = ctx
		defer cancel()
	}
	if p.Context == nil {
		p.Context = context.Background()
	}
	return p.ping()
}

// Will connect to the Minecraft server,
// retrieve server status and return the server info.
func (p *mcPinger) ping() (*ServerInfo, error) {
	if p.Context == nil {
		panic("Context is nil!")
	}

	address := net.JoinHostPort(p.Host, strconv.Itoa(int(p.Port)))

	var d net.Dialer

	conn, err := d.DialContext(p.Context, "tcp", address)
	if err != nil {
		return nil, errors.New("could not connect to Minecraft server: " + err.Error())
	}

	rd := bufio.NewReader(conn)
	w := bufio.NewWriter(conn)

	defer conn.Close()

	if err = p.sendHandshakePacket(w); err != nil {
		return nil, err
	}
	if err = p.sendRequestPacket(w); err != nil {
		return nil, err
	}
	if err = w.Flush(); err != nil {
		return nil, err
	}

	if p.Timeout > 0 {
		// When a remote process is bound, but paused, the connect succeeds without context timeout;
		// however, the response packet just never comes back.
		_ = conn.SetReadDeadline(time.Now().Add(p.Timeout))
	}
	res, err := p.readPacket(rd)
	if err != nil {
		return nil, err
	}

	return &ServerInfo{Raw: res.Json}, nil
}

func (p *mcPinger) sendHandshakePacket(w *bufio.Writer) error {
	payload := fmt.Sprintf("handshake:%s:%d", p.Host, p.Port)
	return writePacket(w, 0x00, []byte(payload))
}

func (p *mcPinger) sendRequestPacket(w *bufio.Writer) error {
	return writePacket(w, 0x00, nil)
}

func (p *mcPinger) readPacket(rd *bufio.Reader) (*responsePacket, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(rd, hdr[:]); err != nil {
		return nil, err
	}
	body := make([]byte, binary.BigEndian.Uint32(hdr[:]))
	if _, err := io.ReadFull(rd, body); err != nil {
		return nil, err
	}
	return &responsePacket{Json: string(body)}, nil
}

func writePacket(w *bufio.Writer, id byte, payload []byte) error {
	var hdr [5]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(len(payload)+1))
	hdr[4] = id
	if _, err := w.Write(hdr[:]); err != nil {
		return errors.New("could not pack: " + err.Error())
	}
	_, err := w.Write(payload)
	return err
}

// New Creates a new Pinger with specified host & port
func New(host string, port uint16, timeout time.Duration) Pinger {
	return &mcPinger{Host: host, Port: port, Timeout: timeout}
}
