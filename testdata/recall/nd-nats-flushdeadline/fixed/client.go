// Recall case nd-nats-flushdeadline
// Source: github.com/nats-io/nats-server commit 188f7bf84ce807c80b84bb2474b325097b6e79d0 (server/client.go, server/server.go)
// Link: https://github.com/nats-io/nats-server/commit/188f7bf84ce807c80b84bb2474b325097b6e79d0
// Bug: client.sendInfo/sendErr/processPing/processPingTimer flush c.bw onto the client net.Conn and clearConnection flushes and Close()s it (a TLS Close writes an alert) without any write deadline, so the server goroutine (holding c.mu) blocks forever when the peer stops reading.
// Fix: all protocol writes go through new client.sendProto which sets nc.SetWriteDeadline(now+DEFAULT_FLUSH_DEADLINE) around the flush, and clearConnection sets a write deadline before Flush/Close.
// Rule: nodeadline
package server

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"log"
	"net"
	"sync"
	"time"
)

const (
	// DEFAULT_FLUSH_DEADLINE is the write/flush deadlines.
	DEFAULT_FLUSH_DEADLINE = 2 * time.Second

	startBufSize = 512 // For INFO/CONNECT block
)

// Options are the server options used here.
type Options struct {
	PingInterval time.Duration
	MaxPingsOut  int
	TLSTimeout   float64
	TLSConfig    *tls.Config
}

// Server is our main struct.
type Server struct {
	mu          sync.Mutex
	opts        *Options
	infoJSON    []byte
	tlsRequired bool
	running     bool
	clients     map[uint64]*client
	gcid        uint64
}

type client struct {
	mu   sync.Mutex
	cid  uint64
	nc   net.Conn
	bw   *bufio.Writer
	srv  *Server
	ptmr *time.Timer
	pout int
}

func secondsToDuration(seconds float64) time.Duration {
	ttl := seconds * float64(time.Second)
	return time.Duration(ttl)
}

func (s *Server) createClient(conn net.Conn) *client {
	c := &client{srv: s, nc: conn}

	// Grab JSON info string
	s.mu.Lock()
	info := s.infoJSON
	tlsRequired := s.tlsRequired
	s.gcid++
	c.cid = s.gcid
	s.mu.Unlock()

	// Grab lock
	c.mu.Lock()

	// Initialize
	c.bw = bufio.NewWriterSize(c.nc, startBufSize)

	// Send our information.
	c.sendInfo(info)

	// Unlock to register
	c.mu.Unlock()

	// Register with the server.
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return c
	}
	s.clients[c.cid] = c
	s.mu.Unlock()

	// Re-Grab lock
	c.mu.Lock()

	// Check for TLS
	if tlsRequired {
		c.nc = tls.Server(c.nc, s.opts.TLSConfig)
		conn := c.nc.(*tls.Conn)

		// Setup the timeout
		ttl := secondsToDuration(s.opts.TLSTimeout)
		time.AfterFunc(ttl, func() { tlsTimeout(c, conn) })
		conn.SetReadDeadline(time.Now().Add(ttl))

		// Force handshake
		c.mu.Unlock()
		if err := conn.Handshake(); err != nil {
			log.Printf("TLS handshake error: %v", err)
			c.sendErr("Secure Connection - TLS Required")
			c.closeConnection()
			return nil
		}
		// Reset the read deadline
		conn.SetReadDeadline(time.Time{})

		// Re-Grab lock
		c.mu.Lock()
	}

	// The connection may have been closed
	if c.nc == nil {
		c.mu.Unlock()
		return c
	}

	if tlsRequired {
		// Rewrap bw
		c.bw = bufio.NewWriterSize(c.nc, startBufSize)
	}

	// Set the Ping timer
	c.setPingTimer()

	c.mu.Unlock()

	return c
}

// Handle closing down a connection when the handshake has timedout.
func tlsTimeout(c *client, conn *tls.Conn) {
	c.mu.Lock()
	nc := c.nc
	c.mu.Unlock()
	// Check if already closed
	if nc == nil {
		return
	}
	cs := conn.ConnectionState()
	if !cs.HandshakeComplete {
		c.sendErr("Secure Connection - TLS Required")
		c.closeConnection()
	}
}

// Assume the lock is held upon entry.
func (c *client) sendProto(info []byte, doFlush bool) error {
	var err error
	if c.bw != nil && c.nc != nil {
		deadlineSet := false
		if doFlush || c.bw.Available() < len(info) {
			c.nc.SetWriteDeadline(time.Now().Add(DEFAULT_FLUSH_DEADLINE))
			deadlineSet = true
		}
		_, err = c.bw.Write(info)
		if err == nil && doFlush {
			err = c.bw.Flush()
		}
		if deadlineSet {
			c.nc.SetWriteDeadline(time.Time{})
		}
	}
	return err
}

// Assume the lock is held upon entry.
func (c *client) sendInfo(info []byte) {
	c.sendProto(info, true)
}

func (c *client) sendErr(err string) {
	c.mu.Lock()
	c.sendProto([]byte(fmt.Sprintf("-ERR '%s'\r\n", err)), true)
	c.mu.Unlock()
}

func (c *client) processPing() {
	c.mu.Lock()
	if c.nc == nil {
		c.mu.Unlock()
		return
	}
	err := c.sendProto([]byte("PONG\r\n"), true)
	if err != nil {
		c.clearConnection()
		log.Printf("Error on Flush, error %s", err.Error())
	}
	c.mu.Unlock()
}

func (c *client) processPingTimer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ptmr = nil
	// Check if we are ready yet..
	if _, ok := c.nc.(*net.TCPConn); !ok {
		return
	}

	// Check for violation
	c.pout++
	if c.pout > c.srv.opts.MaxPingsOut {
		c.sendProto([]byte(fmt.Sprintf("-ERR '%s'\r\n", "Stale Connection")), true)
		c.clearConnection()
		return
	}

	// Send PING
	err := c.sendProto([]byte("PING\r\n"), true)
	if err != nil {
		log.Printf("Error on Client Ping Flush, error %s", err)
		c.clearConnection()
	} else {
		// Reset to fire again if all OK.
		c.setPingTimer()
	}
}

func (c *client) setPingTimer() {
	if c.srv == nil {
		return
	}
	d := c.srv.opts.PingInterval
	c.ptmr = time.AfterFunc(d, c.processPingTimer)
}

// Lock should be held
func (c *client) clearPingTimer() {
	if c.ptmr == nil {
		return
	}
	c.ptmr.Stop()
	c.ptmr = nil
}

// Lock should be held
func (c *client) clearConnection() {
	if c.nc == nil {
		return
	}
	// With TLS, Close() is sending an alert (that is doing a write).
	// Need to set a deadline otherwise the server could block there
	// if the peer is not reading from socket.
	c.nc.SetWriteDeadline(time.Now().Add(DEFAULT_FLUSH_DEADLINE))
	c.bw.Flush()
	c.nc.Close()
	c.nc.SetWriteDeadline(time.Time{})
}

func (c *client) closeConnection() {
	c.mu.Lock()
	if c.nc == nil {
		c.mu.Unlock()
		return
	}

	c.clearPingTimer()
	c.clearConnection()
	c.nc = nil
	srv := c.srv
	c.mu.Unlock()

	if srv != nil {
		srv.mu.Lock()
		delete(srv.clients, c.cid)
		srv.mu.Unlock()
	}
}
