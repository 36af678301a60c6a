// Recall case nd-go-sshlib-createclient
// Source: github.com/blacknon/go-sshlib commit 426bdfe7952c364a3c9db368f39a61b9431337f5 (connect.go)
// Link: https://github.com/blacknon/go-sshlib/commit/426bdfe7952c364a3c9db368f39a61b9431337f5
// Bug: CreateClient dials host:port through c.ProxyDialer.Dial (proxy.Direct, i.e. a plain net.Dial) with no deadline, so the ConnectTimeout is never applied to the TCP connect and the call can hang.
// Fix: The dialer became a ContextDialer and CreateClient dials with DialContext under context.WithTimeout(context.Background(), timeout).
// Rule: nodeadline
package sshlib

import (
	"context"
	"net"
	"time"
)

// ContextDialer is the local stand-in for golang.org/x/net/proxy.ContextDialer.
type ContextDialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

type direct struct{}

// Direct is the stand-in for proxy.Direct: it dials with a net.Dialer honouring ctx.
var Direct = direct{}

func (direct) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// ClientConfig is a stand-in for ssh.ClientConfig.
type ClientConfig struct {
	User    string
	Timeout time.Duration
}

// Client is a stand-in for *ssh.Client.
type Client struct {
	conn net.Conn
	addr string
}

func newClientConn(c net.Conn, addr string, config *ClientConfig) (*Client, error) {
	// the ssh handshake would happen here
	return &Client{conn: c, addr: addr}, nil
}

// Connect structure to store contents about ssh connection.
type Connect struct {
	Client *Client

	// ProxyDialer
	ProxyDialer ContextDialer

	// Connect timeout second.
	ConnectTimeout int
}

// CreateClient set c.Client.
func (c *Connect) CreateClient(host, port, user string) (err error) {
	uri := net.JoinHostPort(host, port)

	timeout := 20
	if c.ConnectTimeout > 0 {
		timeout = c.ConnectTimeout
	}

	config := &ClientConfig{
		User:    user,
		Timeout: time.Duration(timeout) * time.Second,
	}

	// check Dialer
	if c.ProxyDialer == nil {
		c.ProxyDialer = Direct
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(timeout)*time.Second)
	defer cancel()

	// Dial to host:port
	netConn, err := c.ProxyDialer.DialContext(ctx, "tcp", uri)
	if err != nil {
		return
	}

	// Create new ssh connect
	client, err := newClientConn(netConn, uri, config)
	if err != nil {
		return
	}
	c.Client = client

	return
}
