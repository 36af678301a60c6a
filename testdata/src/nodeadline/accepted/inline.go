package accepted

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// The accept loop runs a handshake's reads itself, then keeps the
// connection in a session (nebula's SSH server): the kept session is out
// of sight, but the read before it holds the loop.

type sshSession struct {
	conn net.Conn
	user string
}

type sshServer struct {
	ln       net.Listener
	mu       sync.Mutex
	sessions []*sshSession
}

func handshake(c net.Conn) (*sshSession, error) {
	if _, err := fmt.Fprintf(c, "SSH-2.0-stand-in\r\n"); err != nil {
		return nil, err
	}
	r := bufio.NewReader(c)
	user, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	return &sshSession{conn: c, user: strings.TrimSpace(user)}, nil
}

func (s *sshServer) run() {
	for {
		c, err := s.ln.Accept() // want `the accept loop reads the connection it accepted with no deadline before it goes on, so one client that connects and sends nothing blocks every later connection`
		if err != nil {
			return
		}
		sess, err := handshake(c)
		if err != nil {
			c.Close()
			continue
		}
		s.mu.Lock()
		s.sessions = append(s.sessions, sess)
		s.mu.Unlock()
	}
}

// Negatives.

// The handshake runs in the connection's own goroutine.
func (s *sshServer) runEach() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			sess, err := handshake(c)
			if err != nil {
				c.Close()
				return
			}
			s.mu.Lock()
			s.sessions = append(s.sessions, sess)
			s.mu.Unlock()
		}()
	}
}

// A deadline bounds the handshake.
func (s *sshServer) runBounded() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		sess, err := handshake(c)
		if err != nil {
			c.Close()
			continue
		}
		c.SetReadDeadline(time.Time{})
		s.mu.Lock()
		s.sessions = append(s.sessions, sess)
		s.mu.Unlock()
	}
}

// A watchdog the loop starts with the connection closes it if the
// handshake takes too long.
func (s *sshServer) runWatched() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				c.Close()
			}
		}()
		sess, err := handshake(c)
		close(done)
		if err != nil {
			c.Close()
			continue
		}
		s.mu.Lock()
		s.sessions = append(s.sessions, sess)
		s.mu.Unlock()
	}
}

func closeAfter(c net.Conn, d time.Duration, done <-chan struct{}) {
	select {
	case <-done:
	case <-time.After(d):
		c.Close()
	}
}

// The watchdog is a function of the package started with go.
func (s *sshServer) runWatchedByFunc() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		done := make(chan struct{})
		go closeAfter(c, 10*time.Second, done)
		sess, err := handshake(c)
		close(done)
		if err != nil {
			c.Close()
			continue
		}
		s.mu.Lock()
		s.sessions = append(s.sessions, sess)
		s.mu.Unlock()
	}
}
