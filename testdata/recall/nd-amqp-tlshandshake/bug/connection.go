// Recall case nd-amqp-tlshandshake
// Source: github.com/streadway/amqp commit c11b51f7a331b5f844b923922d05f008770d2ae5 (connection.go)
// Link: https://github.com/streadway/amqp/commit/c11b51f7a331b5f844b923922d05f008770d2ae5
// Bug: DialConfig wraps the dialed conn in tls.Client and calls client.Handshake() with no deadline on the TLS conn, so an amqps dial to a server that never completes the handshake hangs forever (issue #165).
// Fix: client.SetDeadline(time.Now().Add(defaultConnectionTimeout)) before client.Handshake().
// Rule: nodeadline
package amqpnd

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

const (
	defaultHeartbeat         = 10 * time.Second
	defaultConnectionTimeout = 30 * time.Second
)

// Config is the reduced amqp.Config.
type Config struct {
	Heartbeat       time.Duration
	TLSClientConfig *tls.Config
	// Dial returns a net.Conn prepared for a TLS handshake with TSLClientConfig,
	// then an AMQP connection handshake.
	Dial func(network, addr string) (net.Conn, error)
}

type URI struct {
	Scheme string
	Host   string
	Port   int
}

func ParseURI(uri string) (URI, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return URI{}, err
	}
	if u.Scheme != "amqp" && u.Scheme != "amqps" {
		return URI{}, errors.New("AMQP scheme must be either 'amqp://' or 'amqps://'")
	}
	port := 5672
	if u.Scheme == "amqps" {
		port = 5671
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return URI{}, err
		}
		port = n
	}
	return URI{Scheme: u.Scheme, Host: u.Hostname(), Port: port}, nil
}

type Connection struct {
	conn   io.ReadWriteCloser
	Config Config
}

// defaultDial establishes a connection when config.Dial is not provided
func defaultDial(network, addr string) (net.Conn, error) {
	conn, err := net.DialTimeout(network, addr, defaultConnectionTimeout)
	if err != nil {
		return nil, err
	}

	// Heartbeating hasn't started yet, don't stall forever on a dead server.
	if err := conn.SetReadDeadline(time.Now().Add(defaultConnectionTimeout)); err != nil {
		return nil, err
	}

	return conn, nil
}

// DialConfig accepts a string in the AMQP URI format and a configuration for
// the transport and connection setup, returning a new Connection.
func DialConfig(url string, config Config) (*Connection, error) {
	var err error
	var conn net.Conn

	uri, err := ParseURI(url)
	if err != nil {
		return nil, err
	}

	if uri.Scheme == "amqps" && config.TLSClientConfig == nil {
		config.TLSClientConfig = new(tls.Config)
	}

	addr := net.JoinHostPort(uri.Host, strconv.FormatInt(int64(uri.Port), 10))

	dialer := config.Dial
	if dialer == nil {
		dialer = defaultDial
	}

	conn, err = dialer("tcp", addr)
	if err != nil {
		return nil, err
	}

	if config.TLSClientConfig != nil {
		if config.TLSClientConfig.ServerName == "" {
			c := config.TLSClientConfig.Clone()
			c.ServerName = uri.Host
			config.TLSClientConfig = c
		}

		client := tls.Client(conn, config.TLSClientConfig)
		if err := client.Handshake(); err != nil {
			conn.Close()
			return nil, err
		}

		conn = client
	}

	return Open(conn, config)
}

// Open accepts an already established connection (AMQP handshake reduced away).
func Open(conn io.ReadWriteCloser, config Config) (*Connection, error) {
	return &Connection{conn: conn, Config: config}, nil
}
