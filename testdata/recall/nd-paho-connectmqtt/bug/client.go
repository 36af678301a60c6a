// Recall case nd-paho-connectmqtt
// Source: github.com/eclipse/paho.mqtt.golang commit 90d13b0e1496b417f144adc55682dd486754a8ff (client.go, net.go)
// Link: https://github.com/eclipse/paho.mqtt.golang/commit/90d13b0e1496b417f144adc55682dd486754a8ff
// Bug: client.attemptConnection calls connectMQTT -> verifyCONNACK -> ReadPacket on the freshly dialed net.Conn with no deadline, so Connect hangs forever if the broker accepts TCP but never sends CONNACK.
// Fix: set conn.SetDeadline(now+ConnectTimeout) before the MQTT handshake and clear it after CONNACK is accepted.
// Rule: nodeadline
package mqtt

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"sync"
	"time"
)

// ---- minimal stand-in for github.com/eclipse/paho.mqtt.golang/packets ----

const (
	Accepted        byte = 0x00
	ErrNetworkError byte = 0xFE
)

// ControlPacket is any decoded MQTT packet.
type ControlPacket interface{}

// ConnectPacket is the MQTT CONNECT packet.
type ConnectPacket struct {
	ProtocolName     string
	ProtocolVersion  byte
	ClientIdentifier string
	Keepalive        uint16
}

// Write encodes the CONNECT packet onto w.
func (cp *ConnectPacket) Write(w io.Writer) error {
	var body []byte
	body = append(body, byte(len(cp.ProtocolName)>>8), byte(len(cp.ProtocolName)))
	body = append(body, cp.ProtocolName...)
	body = append(body, cp.ProtocolVersion, 0x02) // clean session
	body = append(body, byte(cp.Keepalive>>8), byte(cp.Keepalive))
	body = append(body, byte(len(cp.ClientIdentifier)>>8), byte(len(cp.ClientIdentifier)))
	body = append(body, cp.ClientIdentifier...)
	pkt := append([]byte{0x10, byte(len(body))}, body...)
	_, err := w.Write(pkt)
	return err
}

// ConnackPacket is the MQTT CONNACK packet.
type ConnackPacket struct {
	SessionPresent bool
	ReturnCode     byte
}

// ReadPacket reads one MQTT control packet from r.
func ReadPacket(r io.Reader) (ControlPacket, error) {
	b := make([]byte, 2)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	packetBytes := make([]byte, int(b[1]))
	if _, err := io.ReadFull(r, packetBytes); err != nil {
		return nil, err
	}
	if b[0]>>4 != 2 || len(packetBytes) < 2 {
		return struct{}{}, nil
	}
	return &ConnackPacket{SessionPresent: packetBytes[0]&0x01 == 1, ReturnCode: packetBytes[1]}, nil
}

// ---- client ----

// ClientOptions holds the options used by the client.
type ClientOptions struct {
	Servers                 []*url.URL
	ClientID                string
	KeepAlive               int64
	ProtocolVersion         uint
	protocolVersionExplicit bool
	ConnectTimeout          time.Duration
	Dialer                  *net.Dialer
}

// Token is returned by asynchronous operations.
type Token interface {
	Wait() bool
	Error() error
}

// ConnectToken is the Token returned by Connect.
type ConnectToken struct {
	complete       chan struct{}
	err            error
	returnCode     byte
	sessionPresent bool
}

func (t *ConnectToken) Wait() bool       { <-t.complete; return true }
func (t *ConnectToken) Error() error     { return t.err }
func (t *ConnectToken) flowComplete()    { close(t.complete) }
func (t *ConnectToken) setError(e error) { t.err = e; t.flowComplete() }

type client struct {
	optionsMu sync.Mutex
	options   ClientOptions
	conn      net.Conn
}

// NewClient creates a client.
func NewClient(o ClientOptions) *client {
	return &client{options: o}
}

// Connect will create a connection to the message broker.
func (c *client) Connect() Token {
	t := &ConnectToken{complete: make(chan struct{})}

	go func() {
		if len(c.options.Servers) == 0 {
			t.setError(fmt.Errorf("no servers defined to connect to"))
			return
		}

		var conn net.Conn
		var rc byte
		var err error
		conn, rc, t.sessionPresent, err = c.attemptConnection()
		if err != nil {
			t.returnCode = rc
			t.setError(err)
			return
		}
		c.conn = conn
		t.flowComplete()
	}()
	return t
}

// openConnection opens a network connection using the protocol indicated in the URL.
func openConnection(uri *url.URL, timeout time.Duration, dialer *net.Dialer) (net.Conn, error) {
	switch uri.Scheme {
	case "mqtt", "tcp":
		conn, err := dialer.Dial("tcp", uri.Host)
		if err != nil {
			return nil, err
		}
		return conn, nil
	}
	return nil, errors.New("unknown protocol")
}

func newConnectMsgFromOptions(options *ClientOptions, broker *url.URL) *ConnectPacket {
	return &ConnectPacket{ClientIdentifier: options.ClientID, Keepalive: uint16(options.KeepAlive)}
}

// attemptConnection makes a single attempt to connect to each of the brokers.
func (c *client) attemptConnection() (net.Conn, byte, bool, error) {
	protocolVersion := c.options.ProtocolVersion
	var (
		sessionPresent bool
		conn           net.Conn
		err            error
		rc             byte
	)

	c.optionsMu.Lock()
	brokers := c.options.Servers
	c.optionsMu.Unlock()
	for _, broker := range brokers {
		cm := newConnectMsgFromOptions(&c.options, broker)
	CONN:
		dialer := c.options.Dialer
		if dialer == nil {
			dialer = &net.Dialer{Timeout: 30 * time.Second}
		}
		// Start by opening the network connection (tcp, tls, ws) etc
		conn, err = openConnection(broker, c.options.ConnectTimeout, dialer)
		if err != nil {
			log.Println("failed to connect to broker, trying next", err)
			rc = ErrNetworkError
			continue
		}

		// Now we send the perform the MQTT connection handshake
		rc, sessionPresent, err = connectMQTT(conn, cm, protocolVersion)
		if rc == Accepted {
			break // successfully connected
		}

		// We may be have to attempt the connection with MQTT 3.1
		if conn != nil {
			_ = conn.Close()
		}
		if !c.options.protocolVersionExplicit && protocolVersion == 4 { // try falling back to 3.1?
			protocolVersion = 3
			goto CONN
		}
	}
	if rc == Accepted {
		c.options.ProtocolVersion = protocolVersion
		c.options.protocolVersionExplicit = true
	} else {
		if err == nil {
			err = fmt.Errorf("connection refused, return code %d", rc)
		} else {
			err = fmt.Errorf("network error : %s", err)
		}
	}
	return conn, rc, sessionPresent, err
}

func connectMQTT(conn io.ReadWriter, cm *ConnectPacket, protocolVersion uint) (byte, bool, error) {
	switch protocolVersion {
	case 3:
		cm.ProtocolName = "MQIsdp"
		cm.ProtocolVersion = 3
	default:
		cm.ProtocolName = "MQTT"
		cm.ProtocolVersion = 4
	}

	if err := cm.Write(conn); err != nil {
		return ErrNetworkError, false, err
	}

	rc, sessionPresent, err := verifyCONNACK(conn)
	return rc, sessionPresent, err
}

// verifyCONNACK is only used for receiving a connack when the connection is first started.
func verifyCONNACK(conn io.Reader) (byte, bool, error) {
	ca, err := ReadPacket(conn)
	if err != nil {
		return ErrNetworkError, false, err
	}

	if ca == nil {
		return ErrNetworkError, false, errors.New("nil CONNACK packet")
	}

	msg, ok := ca.(*ConnackPacket)
	if !ok {
		return ErrNetworkError, false, errors.New("non-CONNACK first packet received")
	}

	return msg.ReturnCode, msg.SessionPresent, nil
}
