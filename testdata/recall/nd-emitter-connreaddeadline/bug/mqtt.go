// Recall case nd-emitter-connreaddeadline
// Source: github.com/emitter-io/emitter commit f7f182579d029826dd6868a81b022ded677d3da1 (network/mqtt/mqtt.go)
// Link: https://github.com/emitter-io/emitter/commit/f7f182579d029826dd6868a81b022ded677d3da1
// Bug: Conn.Process (started by Service.onAcceptConn) loops on DecodePacket reading the client net.Conn with no read deadline, so a silent or dead client pins the goroutine and socket forever
// Fix: each loop iteration calls c.socket.SetDeadline(time.Now().Add(60s)) before decoding the next packet
// Rule: nodeadline
package broker

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Reduced copy of emitter's network/mqtt decoder (same package here).

const (
	TypeOfConnect    = uint8(1)
	TypeOfConnack    = uint8(2)
	TypeOfPublish    = uint8(3)
	TypeOfPingreq    = uint8(12)
	TypeOfPingresp   = uint8(13)
	TypeOfDisconnect = uint8(14)
)

// MaxMessageSize is the maximum accepted packet body size.
const MaxMessageSize = 65536

// Message is an MQTT packet.
type Message interface {
	Type() uint8
}

// StaticHeader is the MQTT fixed header flags.
type StaticHeader struct {
	DUP    bool
	Retain bool
	QOS    uint8
}

// Connect is an MQTT CONNECT packet (reduced).
type Connect struct {
	Username []byte
}

// Type returns the packet type.
func (c *Connect) Type() uint8 { return TypeOfConnect }

// Connack is an MQTT CONNACK packet.
type Connack struct {
	ReturnCode uint8
}

// Type returns the packet type.
func (c *Connack) Type() uint8 { return TypeOfConnack }

// EncodeTo writes the packet to w.
func (c *Connack) EncodeTo(w io.Writer) (int, error) {
	return w.Write([]byte{TypeOfConnack << 4, 2, 0, c.ReturnCode})
}

// Publish is an MQTT PUBLISH packet (reduced).
type Publish struct {
	Header  *StaticHeader
	Topic   []byte
	Payload []byte
}

// Type returns the packet type.
func (p *Publish) Type() uint8 { return TypeOfPublish }

// Pingreq is an MQTT PINGREQ packet.
type Pingreq struct{}

// Type returns the packet type.
func (p *Pingreq) Type() uint8 { return TypeOfPingreq }

// Pingresp is an MQTT PINGRESP packet.
type Pingresp struct{}

// Type returns the packet type.
func (p *Pingresp) Type() uint8 { return TypeOfPingresp }

// EncodeTo writes the packet to w.
func (p *Pingresp) EncodeTo(w io.Writer) (int, error) {
	return w.Write([]byte{TypeOfPingresp << 4, 0})
}

// Disconnect is an MQTT DISCONNECT packet.
type Disconnect struct{}

// Type returns the packet type.
func (d *Disconnect) Type() uint8 { return TypeOfDisconnect }

// DecodePacket decodes the packet from the provided reader.
func DecodePacket(rdr io.Reader) (Message, error) {
	hdr, sizeOf, messageType, err := decodeStaticHeader(rdr)
	if err != nil {
		return nil, err
	}

	// Check for empty packets
	switch messageType {
	case TypeOfPingreq:
		return &Pingreq{}, nil
	case TypeOfPingresp:
		return &Pingresp{}, nil
	case TypeOfDisconnect:
		return &Disconnect{}, nil
	}

	//check to make sure packet isn't above size limit
	if int64(sizeOf) > MaxMessageSize {
		return nil, fmt.Errorf("Message size is too large")
	}

	buffer := make([]byte, sizeOf)
	_, err = io.ReadFull(rdr, buffer)
	if err != nil {
		return nil, err
	}

	// Decode the body
	var msg Message
	switch messageType {
	case TypeOfConnect:
		msg = &Connect{Username: buffer}
	case TypeOfPublish:
		msg = decodePublish(buffer, hdr)
	default:
		return nil, fmt.Errorf("Invalid zero-length packet with type %d", messageType)
	}

	return msg, nil
}

func decodePublish(data []byte, hdr *StaticHeader) *Publish {
	if len(data) < 2 {
		return &Publish{Header: hdr}
	}
	n := int(binary.BigEndian.Uint16(data))
	if n > len(data)-2 {
		n = len(data) - 2
	}
	return &Publish{Header: hdr, Topic: data[2 : 2+n], Payload: data[2+n:]}
}

func decodeStaticHeader(rdr io.Reader) (hdr *StaticHeader, length uint32, messageType uint8, err error) {
	b := make([]byte, 1)
	if _, err = io.ReadFull(rdr, b); err != nil {
		return nil, 0, 0, err
	}

	firstByte := b[0]
	messageType = (firstByte & 0xf0) >> 4

	// Set the header depending on the message type
	switch messageType {
	case TypeOfPublish:
		hdr = &StaticHeader{
			DUP:    firstByte&0x08 > 0,
			QOS:    firstByte & 0x06 >> 1,
			Retain: firstByte&0x01 > 0,
		}
	}

	b[0] = 0x0
	multiplier := uint32(1)
	digit := byte(0x80)

	// Read the length
	for (digit & 0x80) != 0 {
		if _, err = io.ReadFull(rdr, b); err != nil {
			return nil, 0, 0, err
		}

		digit = b[0]
		length += uint32(digit&0x7f) * multiplier
		multiplier *= 128
	}

	return hdr, uint32(length), messageType, nil
}
