// Recall case nd-nebula-sshhandshake
// Source: github.com/slackhq/nebula commit 5f6bfc56dfa29facd6d8c6926ed4a1dff2b4e75b (sshd/server.go)
// Link: https://github.com/slackhq/nebula/commit/5f6bfc56dfa29facd6d8c6926ed4a1dff2b4e75b
// Bug: SSHServer.run accepts a connection and runs the SSH handshake (NewServerConn, which reads from the client conn) inline with no deadline; a client that connects and never speaks blocks the accept loop forever.
// Fix: the handshake runs via handshakeWithTimeout, which waits for it at most defaultHandshakeTimeout (10s) and closes the conn on timeout.
// Rule: nodeadline
package sshd

import (
	"errors"
	"log"
	"net"
	"sync"
)

type SSHServer struct {
	config *ServerConfig
	l      *log.Logger

	listener net.Listener

	// Locks the conns/counter to avoid concurrent map access
	connsLock sync.Mutex
	conns     map[int]*session
	counter   int
}

// NewSSHServer creates a new ssh server
func NewSSHServer(l *log.Logger) (*SSHServer, error) {
	s := &SSHServer{
		l:      l,
		conns:  make(map[int]*session),
		config: &ServerConfig{ServerVersion: "SSH-2.0-nebula"},
	}
	return s, nil
}

// Run begins listening and accepting connections
func (s *SSHServer) Run(addr string) error {
	var err error
	s.listener, err = net.Listen("tcp", addr)
	if err != nil {
		return err
	}

	s.l.Printf("SSH server is listening on %s", addr)

	// Run loops until there is an error
	s.run()
	s.closeSessions()

	s.l.Print("SSH server stopped listening")
	// We don't return an error because run logs for us
	return nil
}

func (s *SSHServer) run() {
	for {
		c, err := s.listener.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.l.Printf("Error in listener, shutting down: %v", err)
			}
			return
		}

		conn, chans, reqs, err := NewServerConn(c, s.config)
		fp := ""
		if conn != nil {
			fp = conn.Permissions.Extensions["fp"]
		}

		if err != nil {
			if conn != nil {
				conn.Close()
			}
			s.l.Printf("failed to handshake: remoteAddress=%s fp=%s err=%v", c.RemoteAddr(), fp, err)
			continue
		}

		s.l.Printf("ssh user logged in: user=%s remoteAddress=%s fp=%s", conn.User(), c.RemoteAddr(), fp)

		session := newSession(conn, chans)
		s.connsLock.Lock()
		s.counter++
		counter := s.counter
		s.conns[counter] = session
		s.connsLock.Unlock()

		go discardRequests(reqs)
		go func() {
			<-session.exitChan
			s.connsLock.Lock()
			delete(s.conns, counter)
			s.connsLock.Unlock()
		}()
	}
}

func (s *SSHServer) Stop() {
	// Close the listener, this will cause all session to terminate as well, see SSHServer.Run
	if s.listener != nil {
		if err := s.listener.Close(); err != nil {
			s.l.Printf("Failed to close the sshd listener: %v", err)
		}
	}
}

func (s *SSHServer) closeSessions() {
	s.connsLock.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.connsLock.Unlock()
}
