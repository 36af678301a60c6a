// Recall case nd-mochi-connect
// Source: github.com/mochi-mqtt/server commit 80f76c93e62eb50f3cfc4a25ffa7b5249cb130c4 (internal/clients/clients.go, mqtt.go)
// Link: https://github.com/mochi-mqtt/server/commit/80f76c93e62eb50f3cfc4a25ffa7b5249cb130c4
// Bug: Server.EstablishConnection reads the CONNECT fixed header/packet via Client.ReadFixedHeader before any deadline is set on the accepted net.Conn (NewClient sets none; refreshDeadline only runs inside Client.Read), so a peer that connects and sends nothing pins the goroutine and socket forever
// Fix: NewClient calls cl.refreshDeadline(cl.keepalive) (default keepalive) so the CONNECT read is bounded; Identify refreshes it with the negotiated keepalive (0 disables)
// Rule: nodeadline
package mqtt

import (
	"bufio"
	"encoding/binary"
	"errors"
	"net"
	"time"
)

const defaultKeepalive uint16 = 10 // in seconds.

const Connect byte = 1

var ErrOversizedLengthIndicator = errors.New("protocol violation: oversized length indicator")

// FixedHeader is the reduced packets.FixedHeader.
type FixedHeader struct {
	Type      byte
	Remaining int
}

// Decode extracts the packet type from the first header byte.
func (fh *FixedHeader) Decode(headerByte byte) error {
	fh.Type = headerByte >> 4
	return nil
}

// Packet is the reduced packets.Packet.
type Packet struct {
	FixedHeader      FixedHeader
	ClientIdentifier string
	Keepalive        uint16
	Payload          []byte
}

// Reader stands in for internal/circ.Reader. Upstream a reader goroutine
// copies conn into a ring buffer and Read(n) waits for n bytes; here the
// ring buffer is a bufio.Reader over the same net.Conn, so Read(n) blocks in
// conn.Read exactly where the upstream reader goroutine does.
type Reader struct {
	br *bufio.Reader
}

func NewReader(c net.Conn) *Reader {
	return &Reader{br: bufio.NewReader(c)}
}

// Read returns the next n unconsumed bytes without consuming them.
func (r *Reader) Read(n int) ([]byte, error) {
	return r.br.Peek(n)
}

// CommitTail consumes n bytes.
func (r *Reader) CommitTail(n int) {
	_, _ = r.br.Discard(n)
}

// Client is the reduced internal/clients.Client.
type Client struct {
	conn      net.Conn
	r         *Reader
	ID        string
	Listener  string
	keepalive uint16
}

// NewClient returns a new instance of Client.
func NewClient(c net.Conn, r *Reader) *Client {
	cl := &Client{
		conn: c,
		r:    r,

		keepalive: defaultKeepalive,
	}
	return cl
}

// Identify sets the identification values of a client instance.
func (cl *Client) Identify(lid string, pk Packet) {
	cl.Listener = lid
	cl.ID = pk.ClientIdentifier
	cl.keepalive = pk.Keepalive
}

// refreshDeadline refreshes the read/write deadline for the net.Conn connection.
func (cl *Client) refreshDeadline(keepalive uint16) {
	if cl.conn != nil {
		expiry := time.Duration(keepalive+(keepalive/2)) * time.Second
		cl.conn.SetDeadline(time.Now().Add(expiry))
	}
}

// Stop closes the client connection.
func (cl *Client) Stop() {
	cl.conn.Close()
}

// ReadFixedHeader reads in the values of the next packet's fixed header.
func (cl *Client) ReadFixedHeader(fh *FixedHeader) error {
	p, err := cl.r.Read(1)
	if err != nil {
		return err
	}

	err = fh.Decode(p[0])
	if err != nil {
		return err
	}

	// The remaining length value can be up to 5 bytes. Read through each byte
	// looking for continue values, and if found increase the read. Otherwise
	// decode the bytes that were legit.
	buf := make([]byte, 0, 6)
	i := 1
	n := 2
	for ; n < 6; n++ {
		p, err = cl.r.Read(n)
		if err != nil {
			return err
		}

		buf = append(buf, p[i])

		// If it's not a continuation flag, end here.
		if p[i] < 128 {
			break
		}

		// If i has reached 4 without a length terminator, return a protocol violation.
		i++
		if i == 4 {
			return ErrOversizedLengthIndicator
		}
	}

	// Calculate and store the remaining length of the packet payload.
	rem, _ := binary.Uvarint(buf)
	fh.Remaining = int(rem)

	// Having successfully read n bytes, commit the tail forward.
	cl.r.CommitTail(n)

	return nil
}

// ReadPacket reads the remaining buffer into an MQTT packet (payload decoding
// is reduced to the CONNECT keepalive field).
func (cl *Client) ReadPacket(fh *FixedHeader) (pk Packet, err error) {
	pk.FixedHeader = *fh
	if fh.Remaining == 0 {
		return pk, nil
	}

	p, err := cl.r.Read(fh.Remaining)
	if err != nil {
		return pk, err
	}
	pk.Payload = append([]byte(nil), p...)
	cl.r.CommitTail(fh.Remaining)

	// CONNECT variable header: protocol name (6), level (1), flags (1), keepalive (2).
	if fh.Type == Connect && len(pk.Payload) >= 10 {
		pk.Keepalive = binary.BigEndian.Uint16(pk.Payload[8:10])
	}

	return pk, nil
}

// Read loops forever reading new packets from a client connection until
// an error is encountered (or the connection is closed).
func (cl *Client) Read(h func(*Client, Packet) error) error {
	for {
		cl.refreshDeadline(cl.keepalive)
		fh := new(FixedHeader)
		err := cl.ReadFixedHeader(fh)
		if err != nil {
			return err
		}

		pk, err := cl.ReadPacket(fh)
		if err != nil {
			return err
		}

		err = h(cl, pk) // Process inbound packet.
		if err != nil {
			return err
		}
	}
}
