// Recall case sd-gocql-authhandshake
// Source: github.com/gocql/gocql commit 4d092a3c399088e0f00ac40e21026a700a06a2f8 (conn.go, frame.go)
// Link: https://github.com/gocql/gocql/commit/4d092a3c399088e0f00ac40e21026a700a06a2f8
// Bug: Conn.authenticateHandshake receives the startup ctx (Connect's timeout context) but sends each auth response with c.exec(context.Background(), req, nil), so the auth round trips ignore the caller's deadline/cancellation.
// Fix: pass the ctx that is in scope: c.exec(ctx, req, nil).
// Rule: sharedeadline
package gocql

// Minimal CQL native-protocol framing (stand-in for gocql's frame.go), v3 headers only.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

type frameOp byte

const (
	protoVersion3 = 0x03

	opError         frameOp = 0x00
	opStartup       frameOp = 0x01
	opReady         frameOp = 0x02
	opAuthenticate  frameOp = 0x03
	opAuthChallenge frameOp = 0x0E
	opAuthResponse  frameOp = 0x0F
	opAuthSuccess   frameOp = 0x10

	headSize = 9
)

type frameHeader struct {
	version byte
	flags   byte
	stream  int
	op      frameOp
	length  int
}

type frame interface{}

type readyFrame struct{}

type authenticateFrame struct{ class string }

type authSuccessFrame struct{ data []byte }

type authChallengeFrame struct{ data []byte }

type errorFrame struct {
	code    int32
	message string
}

func (e errorFrame) Error() string {
	return fmt.Sprintf("gocql: server error %d: %s", e.code, e.message)
}

type frameWriter interface {
	writeFrame(framer *framer, streamID int) error
}

type framer struct {
	r       io.Reader
	w       io.Writer
	version byte
	header  *frameHeader
	rbuf    []byte
	wbuf    []byte
}

func newFramer(r io.Reader, w io.Writer, version uint8) *framer {
	return &framer{r: r, w: w, version: version}
}

func readHeader(r io.Reader, p []byte) (head frameHeader, err error) {
	if _, err = io.ReadFull(r, p[:headSize]); err != nil {
		return frameHeader{}, err
	}
	head.version = p[0]
	head.flags = p[1]
	head.stream = int(int16(p[2])<<8 | int16(p[3]))
	head.op = frameOp(p[4])
	head.length = int(binary.BigEndian.Uint32(p[5:9]))
	return head, nil
}

func (f *framer) readFrame(head *frameHeader) error {
	f.header = head
	f.rbuf = make([]byte, head.length)
	_, err := io.ReadFull(f.r, f.rbuf)
	return err
}

func (f *framer) readBytes() []byte {
	if len(f.rbuf) < 4 {
		return nil
	}
	n := int(int32(binary.BigEndian.Uint32(f.rbuf)))
	f.rbuf = f.rbuf[4:]
	if n < 0 || n > len(f.rbuf) {
		return nil
	}
	b := f.rbuf[:n]
	f.rbuf = f.rbuf[n:]
	return b
}

func (f *framer) readString() string {
	if len(f.rbuf) < 2 {
		return ""
	}
	n := int(binary.BigEndian.Uint16(f.rbuf))
	f.rbuf = f.rbuf[2:]
	if n > len(f.rbuf) {
		return ""
	}
	s := string(f.rbuf[:n])
	f.rbuf = f.rbuf[n:]
	return s
}

func (f *framer) parseFrame() (frame, error) {
	switch f.header.op {
	case opError:
		if len(f.rbuf) < 4 {
			return nil, errors.New("gocql: short error frame")
		}
		code := int32(binary.BigEndian.Uint32(f.rbuf))
		f.rbuf = f.rbuf[4:]
		return errorFrame{code: code, message: f.readString()}, nil
	case opReady:
		return &readyFrame{}, nil
	case opAuthenticate:
		return &authenticateFrame{class: f.readString()}, nil
	case opAuthChallenge:
		return &authChallengeFrame{data: f.readBytes()}, nil
	case opAuthSuccess:
		return &authSuccessFrame{data: f.readBytes()}, nil
	}
	return nil, fmt.Errorf("gocql: unknown op in frame header: %v", f.header.op)
}

func (f *framer) writeHeader(op frameOp, stream int) {
	f.wbuf = append(f.wbuf[:0], f.version, 0, byte(stream>>8), byte(stream), byte(op), 0, 0, 0, 0)
}

func (f *framer) writeString(s string) {
	f.wbuf = binary.BigEndian.AppendUint16(f.wbuf, uint16(len(s)))
	f.wbuf = append(f.wbuf, s...)
}

func (f *framer) writeBytes(p []byte) {
	f.wbuf = binary.BigEndian.AppendUint32(f.wbuf, uint32(len(p)))
	f.wbuf = append(f.wbuf, p...)
}

func (f *framer) finishWrite() error {
	binary.BigEndian.PutUint32(f.wbuf[5:9], uint32(len(f.wbuf)-headSize))
	_, err := f.w.Write(f.wbuf)
	return err
}

type writeStartupFrame struct {
	opts map[string]string
}

func (w *writeStartupFrame) writeFrame(f *framer, streamID int) error {
	f.writeHeader(opStartup, streamID)
	f.wbuf = binary.BigEndian.AppendUint16(f.wbuf, uint16(len(w.opts)))
	for k, v := range w.opts {
		f.writeString(k)
		f.writeString(v)
	}
	return f.finishWrite()
}

type writeAuthResponseFrame struct {
	data []byte
}

func (a *writeAuthResponseFrame) writeFrame(f *framer, streamID int) error {
	f.writeHeader(opAuthResponse, streamID)
	f.writeBytes(a.data)
	return f.finishWrite()
}
