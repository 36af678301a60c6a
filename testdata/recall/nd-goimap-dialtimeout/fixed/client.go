// Recall case nd-goimap-dialtimeout
// Source: github.com/emersion/go-imap commit a9d7ec54a300ecf6803d3b99c45c7727290efc9d (imapclient/client.go)
// Link: https://github.com/emersion/go-imap/commit/a9d7ec54a300ecf6803d3b99c45c7727290efc9d
// Bug: DialTLS and DialStartTLS connect with tls.Dial / net.Dial, which have no timeout, so connecting to an unresponsive IMAP server (dropped SYNs, stalled TLS handshake) blocks the caller indefinitely.
// Fix: a package-level net.Dialer{Timeout: 30 * time.Second} is used via tls.DialWithDialer and dialer.Dial.
// Rule: nodeadline
package imapclient

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

const (
	respReadTimeout = 30 * time.Second
	cmdWriteTimeout = 30 * time.Second
)

var dialer = &net.Dialer{
	Timeout: 30 * time.Second,
}

// Options contains options for Client.
type Options struct {
	// TLS configuration for use by DialTLS and DialStartTLS. If nil, the
	// default configuration is used.
	TLSConfig *tls.Config
}

func (options *Options) tlsConfig() *tls.Config {
	if options != nil && options.TLSConfig != nil {
		return options.TLSConfig.Clone()
	}
	return new(tls.Config)
}

// Client is an IMAP client (reduced).
type Client struct {
	conn    net.Conn
	options Options
	br      *bufio.Reader
	bw      *bufio.Writer
}

// New creates a new IMAP client.
//
// This function doesn't perform I/O.
func New(conn net.Conn, options *Options) *Client {
	if options == nil {
		options = &Options{}
	}
	return &Client{
		conn:    conn,
		options: *options,
		br:      bufio.NewReader(conn),
		bw:      bufio.NewWriter(conn),
	}
}

func (c *Client) setReadTimeout(dur time.Duration) {
	if dur > 0 {
		c.conn.SetReadDeadline(time.Now().Add(dur))
	} else {
		c.conn.SetReadDeadline(time.Time{})
	}
}

func (c *Client) setWriteTimeout(dur time.Duration) {
	if dur > 0 {
		c.conn.SetWriteDeadline(time.Now().Add(dur))
	} else {
		c.conn.SetWriteDeadline(time.Time{})
	}
}

func (c *Client) startTLS(config *tls.Config) error {
	c.setWriteTimeout(cmdWriteTimeout)
	if _, err := c.bw.WriteString("T1 STARTTLS\r\n"); err != nil {
		return err
	}
	if err := c.bw.Flush(); err != nil {
		return err
	}
	c.setReadTimeout(respReadTimeout)
	for {
		line, err := c.br.ReadString('\n')
		if err != nil {
			return err
		}
		if strings.HasPrefix(line, "T1 ") {
			if !strings.HasPrefix(line, "T1 OK") {
				return errors.New("imapclient: STARTTLS failed: " + strings.TrimSpace(line))
			}
			break
		}
	}
	c.setReadTimeout(0)
	tlsConn := tls.Client(c.conn, config)
	c.conn = tlsConn
	c.br = bufio.NewReader(tlsConn)
	c.bw = bufio.NewWriter(tlsConn)
	return nil
}

// NewStartTLS creates a new IMAP client with STARTTLS.
func NewStartTLS(conn net.Conn, options *Options) (*Client, error) {
	if options == nil {
		options = &Options{}
	}

	client := New(conn, options)
	if err := client.startTLS(options.TLSConfig); err != nil {
		conn.Close()
		return nil, fmt.Errorf("imapclient: %w", err)
	}
	return client, nil
}

// DialTLS connects to an IMAP server with implicit TLS.
func DialTLS(address string, options *Options) (*Client, error) {
	tlsConfig := options.tlsConfig()
	if tlsConfig.NextProtos == nil {
		tlsConfig.NextProtos = []string{"imap"}
	}

	conn, err := tls.DialWithDialer(dialer, "tcp", address, tlsConfig)
	if err != nil {
		return nil, err
	}
	return New(conn, options), nil
}

// DialStartTLS connects to an IMAP server with STARTTLS.
func DialStartTLS(address string, options *Options) (*Client, error) {
	if options == nil {
		options = &Options{}
	}

	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}

	conn, err := dialer.Dial("tcp", address)
	if err != nil {
		return nil, err
	}

	tlsConfig := options.tlsConfig()
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = host
	}
	newOptions := *options
	newOptions.TLSConfig = tlsConfig
	return NewStartTLS(conn, &newOptions)
}
