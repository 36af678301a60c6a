// Package accepted: connections a server accepts and reads with no
// deadline (rqlite's cluster service read each request with io.ReadFull on
// the accepted conn; the fix set a read deadline first), and the uses that
// bound or hide the reads.
package accepted

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"io"
	"net"
	"net/rpc"
	"time"
)

type service struct {
	ln net.Listener
}

// The rqlite shape: a goroutine per connection, reading a length-prefixed
// request with no deadline.
func (s *service) serve() error {
	for {
		conn, err := s.ln.Accept() // want `the connection accepted here is read with no deadline, so a client that connects and sends nothing \(or stops halfway\) holds its goroutine and socket forever: call SetReadDeadline before each read`
		if err != nil {
			return err
		}
		go s.handleConn(conn)
	}
}

func (s *service) handleConn(conn net.Conn) {
	defer conn.Close()
	b := make([]byte, 8)
	for {
		if _, err := io.ReadFull(conn, b); err != nil {
			return
		}
		p := make([]byte, binary.LittleEndian.Uint64(b))
		if _, err := io.ReadFull(conn, p); err != nil {
			return
		}
		conn.Write(p)
	}
}

// A function literal started per connection, the connection captured.
func serveCaptured(ln net.Listener) {
	for {
		conn, err := ln.Accept() // want `the connection accepted here is read with no deadline`
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			r := bufio.NewReader(conn)
			line, _ := r.ReadString('\n')
			conn.Write([]byte(line))
		}()
	}
}

// Handed to a function literal as its argument, kept in a struct of the
// package and read through it.
type session struct {
	c net.Conn
}

func (s *session) next() ([]byte, error) {
	buf := make([]byte, 512)
	n, err := s.c.Read(buf)
	return buf[:n], err
}

func serveSessions(ln *net.TCPListener) {
	for {
		conn, err := ln.AcceptTCP() // want `the connection accepted here is read with no deadline`
		if err != nil {
			return
		}
		go func(c net.Conn) {
			s := &session{c: c}
			for {
				if _, err := s.next(); err != nil {
					return
				}
			}
		}(conn)
	}
}

// Negatives.

// A read deadline before each request: bounded.
func (s *service) serveBounded() error {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer conn.Close()
			b := make([]byte, 8)
			for {
				conn.SetReadDeadline(time.Now().Add(30 * time.Second))
				if _, err := io.ReadFull(conn, b); err != nil {
					return
				}
			}
		}()
	}
}

// A deadline set by a helper of the package before the handler reads.
func prepare(c net.Conn) { c.SetDeadline(time.Now().Add(time.Minute)) }

func serveHelperDeadline(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		prepare(conn)
		go handleRaw(conn)
	}
}

func handleRaw(c net.Conn) {
	buf := make([]byte, 64)
	c.Read(buf)
}

// A proxy relays the client's bytes: an idle client is normal there.
func proxy(ln net.Listener, upstream string) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			up, err := net.DialTimeout("tcp", upstream, 5*time.Second)
			if err != nil {
				return
			}
			defer up.Close()
			go io.Copy(up, conn)
			io.Copy(conn, up)
		}()
	}
}

// Handed to another package: TLS, net/rpc and HTTP servers set (or
// document) their own deadlines.
func serveTLS(ln net.Listener, cfg *tls.Config) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go handleTLS(tls.Server(conn, cfg))
	}
}

func handleTLS(c *tls.Conn) {
	defer c.Close()
}

func serveRPC(ln net.Listener, srv *rpc.Server) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go srv.ServeConn(conn)
	}
}

// An idle reaper closes the connection when a timer fires: it bounds the
// reads as a deadline would.
func serveReaped(ln net.Listener, idle time.Duration) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		activity := make(chan struct{})
		go func() {
			for {
				select {
				case <-activity:
				case <-time.After(idle):
					conn.Close()
					return
				}
			}
		}()
		go func() {
			buf := make([]byte, 64)
			for {
				if _, err := conn.Read(buf); err != nil {
					return
				}
				activity <- struct{}{}
			}
		}()
	}
}

// A Unix-domain socket: its clients are local processes.
func serveUnix(path string) error {
	ln, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		go handleRaw(conn)
	}
}

// Kept in a map other code reaches: not followed.
var conns = map[net.Conn]bool{}

func serveTracked(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		conns[conn] = true
		go handleRaw(conn)
	}
}

// Accepted and only written to (a server that speaks and hangs up).
func serveGreeting(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		conn.Write([]byte("hello\n"))
		conn.Close()
	}
}
