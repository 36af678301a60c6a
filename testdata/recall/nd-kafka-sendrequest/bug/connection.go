// Recall case nd-kafka-sendrequest
// Source: github.com/dropbox/kafka commit 391d1be74f3fc65aa64d9b543e833b87a16516f3 (connection.go)
// Link: https://github.com/dropbox/kafka/commit/391d1be74f3fc65aa64d9b543e833b87a16516f3
// Bug: connection.sendRequest writes the request to the broker's net.Conn and then blocks reading the response with no read deadline and no timeout, so an unresponsive broker hangs the caller forever.
// Fix: sendRequest runs the write/read in a helper goroutine and returns (closing the connection) after 2*c.timeout.
// Rule: nodeadline
package kafka

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"sync/atomic"
	"time"
)

// ErrClosed is returned as result of any request made using closed connection.
var ErrClosed = errors.New("closed")

// Request is the local stand-in for proto.Request.
type Request interface {
	WriteTo(w io.Writer) (int64, error)
}

// MetadataReq is a minimal stand-in for proto.MetadataReq.
type MetadataReq struct {
	CorrelationID int32
	ClientID      string
	Topics        []string
}

func (r *MetadataReq) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	binary.Write(&buf, binary.BigEndian, int32(0)) // size placeholder
	binary.Write(&buf, binary.BigEndian, int16(3)) // api key: metadata
	binary.Write(&buf, binary.BigEndian, int16(0))
	binary.Write(&buf, binary.BigEndian, r.CorrelationID)
	binary.Write(&buf, binary.BigEndian, int16(len(r.ClientID)))
	buf.WriteString(r.ClientID)
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	n, err := w.Write(b)
	return int64(n), err
}

// ReadResp is the stand-in for proto.ReadResp: it reads one size-prefixed
// response from the broker.
func ReadResp(r io.Reader) (correlationID int32, b []byte, err error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	msgSize := int32(binary.BigEndian.Uint32(hdr[:4]))
	correlationID = int32(binary.BigEndian.Uint32(hdr[4:]))
	b = make([]byte, msgSize+4)
	copy(b, hdr[:])
	_, err = io.ReadFull(r, b[8:])
	return correlationID, b, err
}

// Low level abstraction over connection to Kafka. This structure is NOT THREAD
// SAFE and must be only owned by one caller at a time.
type connection struct {
	addr      string
	startTime time.Time
	rw        io.ReadWriteCloser
	rd        *bufio.Reader
	rnd       *rand.Rand
	closed    *int32
}

// newConnection returns new, initialized connection or error
func newTCPConnection(address string, timeout time.Duration) (*connection, error) {
	conn, err := net.DialTimeout("tcp", address, timeout)
	if err != nil {
		return nil, err
	}

	rnd := rand.New(rand.NewSource(time.Now().UnixNano()))

	c := &connection{
		addr:      address,
		rw:        conn,
		rd:        bufio.NewReader(conn),
		rnd:       rnd,
		closed:    new(int32),
		startTime: time.Now(),
	}
	return c, nil
}

// Close close underlying transport connection and cancel all pending response
// waiters.
func (c *connection) Close() error {
	if atomic.CompareAndSwapInt32(c.closed, 0, 1) {
		return c.rw.Close()
	}
	return nil
}

// sendRequest handles the raw material of sending a request up to Kafka and
// receiving the response.
func (c *connection) sendRequest(req Request, reqID int32) (*bytes.Reader, error) {
	if _, err := req.WriteTo(c.rw); err != nil {
		log.Printf("cannot write: %s", err)
		return nil, err
	}

	if correlationID, b, err := ReadResp(c.rd); err != nil {
		return nil, err
	} else {
		if correlationID != reqID {
			c.Close()
			return nil, fmt.Errorf("got unexpected correlation ID %d instead of %d",
				correlationID, reqID)
		}
		return bytes.NewReader(b), nil
	}
}

// Metadata sends given metadata request to kafka node and returns related
// metadata response.
func (c *connection) Metadata(req *MetadataReq) (*bytes.Reader, error) {
	if req.CorrelationID == 0 {
		req.CorrelationID = c.rnd.Int31()
	}
	return c.sendRequest(req, req.CorrelationID)
}
