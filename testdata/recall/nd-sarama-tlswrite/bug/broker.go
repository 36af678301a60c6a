// Recall case nd-sarama-tlswrite
// Source: github.com/IBM/sarama commit 25368c40d6174b1c2996e1ad82f635ff7e850bbc (broker.go)
// Link: https://github.com/IBM/sarama/pull/3283
// Bug: Broker.write only sets a write deadline, but the first Write on a tls.Client conn runs the TLS handshake which also reads from the socket with no read deadline, so Open/ApiVersions hangs forever when the broker stalls mid-handshake.
// Fix: when TLS is enabled, write also sets a read deadline (now + Net.ReadTimeout) before calling conn.Write.
// Rule: nodeadline
package sarama

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

var Logger = log.New(io.Discard, "[sarama] ", log.LstdFlags)

var (
	ErrAlreadyConnected = errors.New("kafka: broker connection already initiated")
	ErrNotConnected     = errors.New("kafka: broker not connected")
)

// Config is the subset of sarama.Config used by the broker connection code.
type Config struct {
	Net struct {
		DialTimeout  time.Duration
		ReadTimeout  time.Duration
		WriteTimeout time.Duration
		KeepAlive    time.Duration
		TLS          struct {
			Enable bool
			Config *tls.Config
		}
	}
	ClientID           string
	ApiVersionsRequest bool
}

func NewConfig() *Config {
	c := &Config{}
	c.Net.DialTimeout = 30 * time.Second
	c.Net.ReadTimeout = 30 * time.Second
	c.Net.WriteTimeout = 30 * time.Second
	c.ClientID = "sarama"
	c.ApiVersionsRequest = true
	return c
}

func (c *Config) getDialer() *net.Dialer {
	return &net.Dialer{
		Timeout:   c.Net.DialTimeout,
		KeepAlive: c.Net.KeepAlive,
	}
}

// bufConn wraps a net.Conn with a buffer for reads to reduce the number of
// reads that trigger syscalls.
type bufConn struct {
	net.Conn
	buf *bufio.Reader
}

func newBufConn(conn net.Conn) *bufConn {
	return &bufConn{
		Conn: conn,
		buf:  bufio.NewReader(conn),
	}
}

func (bc *bufConn) Read(b []byte) (n int, err error) {
	return bc.buf.Read(b)
}

// Broker represents a single Kafka broker connection.
type Broker struct {
	addr          string
	conf          *Config
	correlationID int32
	conn          net.Conn
	connErr       error
	lock          sync.Mutex
	opened        atomic.Bool

	brokerAPIVersions map[int16][2]int16
}

func NewBroker(addr string) *Broker {
	return &Broker{addr: addr}
}

// Open tries to connect to the Broker if it is not already connected or connecting, but does not block
// waiting for the connection to complete.
func (b *Broker) Open(conf *Config) error {
	if !b.opened.CompareAndSwap(false, true) {
		return ErrAlreadyConnected
	}

	if conf == nil {
		conf = NewConfig()
	}

	b.lock.Lock()

	go func() {
		defer b.lock.Unlock()

		dialer := conf.getDialer()
		b.conn, b.connErr = dialer.Dial("tcp", b.addr)
		if b.connErr != nil {
			Logger.Printf("Failed to connect to broker %s: %s\n", b.addr, b.connErr)
			b.conn = nil
			b.opened.Store(false)
			return
		}
		if conf.Net.TLS.Enable {
			b.conn = tls.Client(b.conn, validServerNameTLS(b.addr, conf.Net.TLS.Config))
		}

		b.conn = newBufConn(b.conn)
		b.conf = conf

		// Send an ApiVersionsRequest to identify the client (KIP-511).
		if conf.ApiVersionsRequest {
			apiVersions, err := b.sendAndReceiveApiVersions(3)
			if err != nil {
				Logger.Printf("Error while sending ApiVersionsRequest to broker %s: %s\n", b.addr, err)
				// send a v0 request in case remote cluster is < 2.4.0.0
				apiVersions, _ = b.sendAndReceiveApiVersions(0)
			}
			b.brokerAPIVersions = apiVersions
		}
	}()

	return nil
}

// Connected returns true if the broker is connected and false otherwise.
func (b *Broker) Connected() (bool, error) {
	b.lock.Lock()
	defer b.lock.Unlock()

	return b.conn != nil, b.connErr
}

func (b *Broker) sendAndReceiveApiVersions(v int16) (map[int16][2]int16, error) {
	if b.conn == nil {
		return nil, ErrNotConnected
	}
	buf := encodeApiVersionsRequest(b.correlationID, b.conf.ClientID, v)

	bytes, err := b.write(buf)
	if err != nil {
		Logger.Printf("Failed to send ApiVersions request to %s: %s (%d bytes)\n", b.addr, err, bytes)
		return nil, err
	}
	b.correlationID++

	// Kafka protocol response structure:
	// - Message length (4 bytes): Total length of the response excluding this field
	// - ResponseHeader v0 (4 bytes): Contains correlation ID for request-response matching
	header := make([]byte, 8)
	_, err = b.readFull(header)
	if err != nil {
		Logger.Printf("Failed to read ApiVersions response header from %s: %s\n", b.addr, err)
		return nil, err
	}

	length := binary.BigEndian.Uint32(header[:4])
	if length < 4 {
		return nil, errors.New("kafka: invalid ApiVersions response length")
	}
	payload := make([]byte, length-4)
	if _, err := b.readFull(payload); err != nil {
		Logger.Printf("Failed to read ApiVersions response payload from %s: %s\n", b.addr, err)
		return nil, err
	}
	return decodeApiVersionsResponse(payload), nil
}

// readFull ensures the conn ReadDeadline has been setup before making a
// call to io.ReadFull
func (b *Broker) readFull(buf []byte) (n int, err error) {
	if err := b.conn.SetReadDeadline(time.Now().Add(b.conf.Net.ReadTimeout)); err != nil {
		return 0, err
	}

	return io.ReadFull(b.conn, buf)
}

// write  ensures the conn WriteDeadline has been setup before making a
// call to conn.Write
func (b *Broker) write(buf []byte) (n int, err error) {
	if err := b.conn.SetWriteDeadline(time.Now().Add(b.conf.Net.WriteTimeout)); err != nil {
		return 0, err
	}

	return b.conn.Write(buf)
}

func validServerNameTLS(addr string, cfg *tls.Config) *tls.Config {
	if cfg == nil {
		cfg = &tls.Config{
			MinVersion: tls.VersionTLS12,
		}
	}
	if cfg.ServerName != "" {
		return cfg
	}

	c := cfg.Clone()
	sn, _, err := net.SplitHostPort(addr)
	if err != nil {
		Logger.Println("failed to get ServerName from addr", err)
	}
	c.ServerName = sn
	return c
}

func encodeApiVersionsRequest(correlationID int32, clientID string, v int16) []byte {
	body := make([]byte, 0, 64)
	body = binary.BigEndian.AppendUint16(body, 18) // ApiVersions api key
	body = binary.BigEndian.AppendUint16(body, uint16(v))
	body = binary.BigEndian.AppendUint32(body, uint32(correlationID))
	body = binary.BigEndian.AppendUint16(body, uint16(len(clientID)))
	body = append(body, clientID...)
	out := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	return append(out, body...)
}

func decodeApiVersionsResponse(payload []byte) map[int16][2]int16 {
	res := make(map[int16][2]int16)
	for i := 2; i+6 <= len(payload); i += 6 {
		key := int16(binary.BigEndian.Uint16(payload[i:]))
		res[key] = [2]int16{int16(binary.BigEndian.Uint16(payload[i+2:])), int16(binary.BigEndian.Uint16(payload[i+4:]))}
	}
	return res
}
