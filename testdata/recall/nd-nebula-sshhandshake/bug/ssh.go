// Recall case nd-nebula-sshhandshake
// Source: github.com/slackhq/nebula commit 5f6bfc56dfa29facd6d8c6926ed4a1dff2b4e75b (sshd/server.go)
// Link: https://github.com/slackhq/nebula/commit/5f6bfc56dfa29facd6d8c6926ed4a1dff2b4e75b
// Bug: SSHServer.run accepts a connection and runs the SSH handshake (NewServerConn, which reads from the client conn) inline with no deadline; a client that connects and never speaks blocks the accept loop forever.
// Fix: the handshake runs via handshakeWithTimeout, which waits for it at most defaultHandshakeTimeout (10s) and closes the conn on timeout.
// Rule: nodeadline
package sshd

// Minimal stand-in for golang.org/x/crypto/ssh: the server handshake
// exchanges version banners over the raw net.Conn (blocking reads, no deadline).

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
)

type ServerConfig struct {
	ServerVersion string
}

type Permissions struct {
	Extensions map[string]string
}

type ServerConn struct {
	net.Conn
	user        string
	Permissions *Permissions
}

func (c *ServerConn) User() string { return c.user }

type NewChannel struct{ kind string }

type Request struct{ Type string }

// NewServerConn performs the handshake on c: it sends our banner and reads the
// client's banner and user line. The reads block until the client writes.
func NewServerConn(c net.Conn, config *ServerConfig) (*ServerConn, <-chan NewChannel, <-chan *Request, error) {
	if _, err := fmt.Fprintf(c, "%s\r\n", config.ServerVersion); err != nil {
		return nil, nil, nil, err
	}
	r := bufio.NewReader(c)
	banner, err := r.ReadString('\n')
	if err != nil {
		return nil, nil, nil, err
	}
	if !strings.HasPrefix(banner, "SSH-2.0-") {
		return nil, nil, nil, errors.New("ssh: invalid client version")
	}
	user, err := r.ReadString('\n')
	if err != nil {
		return nil, nil, nil, err
	}
	conn := &ServerConn{
		Conn:        c,
		user:        strings.TrimSpace(user),
		Permissions: &Permissions{Extensions: map[string]string{"fp": "SHA256:stand-in"}},
	}
	chans := make(chan NewChannel)
	reqs := make(chan *Request)
	go func() {
		buf := make([]byte, 512)
		for {
			if _, err := c.Read(buf); err != nil {
				close(chans)
				close(reqs)
				return
			}
		}
	}()
	return conn, chans, reqs, nil
}

func discardRequests(in <-chan *Request) {
	for range in {
	}
}

type session struct {
	conn     *ServerConn
	exitChan chan bool
}

func newSession(conn *ServerConn, chans <-chan NewChannel) *session {
	s := &session{conn: conn, exitChan: make(chan bool)}
	go func() {
		for range chans {
		}
		close(s.exitChan)
	}()
	return s
}

func (s *session) Close() {
	s.conn.Close()
}
