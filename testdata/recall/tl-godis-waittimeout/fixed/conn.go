// Recall case tl-godis-waittimeout
// Source: github.com/HDT3213/godis commit 9b78f554aa86ab724664e0e4bdfb0f51cf2df593 (lib/sync/wait/wait.go)
// Link: https://github.com/HDT3213/godis/commit/9b78f554aa86ab724664e0e4bdfb0f51cf2df593
// Bug: WaitWithTimeout starts a goroutine that sends on an unbuffered channel after wg.Wait(); when the select takes the time.After branch nobody receives, so the goroutine blocks forever (one leak per timed-out Close).
// Fix: make the channel buffered (make(chan bool, 1)) so the send never blocks.
// Rule: timeoutleak
package wait

import (
	"net"
	"sync"
	"time"
)

// Connection represents a connection with a redis-cli
// (redis/connection/conn.go, kept here as the caller of WaitWithTimeout).
type Connection struct {
	conn net.Conn

	// waiting until reply finished
	waitingReply Wait

	// lock while server sending response
	mu sync.Mutex
}

// NewConn creates Connection instance
func NewConn(conn net.Conn) *Connection {
	return &Connection{
		conn: conn,
	}
}

// RemoteAddr returns the remote network address
func (c *Connection) RemoteAddr() net.Addr {
	return c.conn.RemoteAddr()
}

// Close disconnect with the client
func (c *Connection) Close() error {
	c.waitingReply.WaitWithTimeout(10 * time.Second)
	_ = c.conn.Close()
	return nil
}

// Write sends response to client over tcp connection
func (c *Connection) Write(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	c.mu.Lock()
	c.waitingReply.Add(1)
	defer func() {
		c.waitingReply.Done()
		c.mu.Unlock()
	}()

	_, err := c.conn.Write(b)
	return err
}
