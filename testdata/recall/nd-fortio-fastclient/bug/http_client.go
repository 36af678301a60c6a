// Recall case nd-fortio-fastclient
// Source: github.com/fortio/fortio commit 6b4e2d4870971679f0b586ad1082ad0b9fb4b162 (fhttp/http_client.go)
// Link: https://github.com/fortio/fortio/commit/6b4e2d4870971679f0b586ad1082ad0b9fb4b162
// Bug: FastClient.Fetch only calls conn.SetReadDeadline before conn.Write(req), so the request write on the raw net.Conn has no deadline and blocks forever when the peer stops reading.
// Fix: conn.SetReadDeadline was replaced by conn.SetDeadline so both the write and the reads are bounded by reqTimeout.
// Rule: nodeadline
package fhttp

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"
)

const (
	// SocketError is return when a transport error occurred: unexpected EOF, connection error, etc...
	SocketError = -1
	// RetryOnce is used internally as an error code to allow 1 retry for bad socket reuse.
	RetryOnce = -2

	retcodeOffset = len("HTTP/1.X ")
)

// FastClient is a fast, lockfree single purpose http 1.0/1.1 client.
type FastClient struct {
	buffer      []byte
	req         []byte
	dest        net.Addr
	socket      net.Conn
	socketCount int
	size        int
	code        int
	errorCount  int
	headerLen   int
	keepAlive   bool
	halfClose   bool // allow/do half close when keepAlive is false
	reqTimeout  time.Duration
	id          int
}

// NewFastClient builds a client for a GET of path on dest.
func NewFastClient(dest net.Addr, host, path string, reqTimeout time.Duration, keepAlive, halfClose bool) *FastClient {
	var req bytes.Buffer
	req.WriteString("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n")
	if !keepAlive {
		req.WriteString("Connection: close\r\n")
	}
	req.WriteString("\r\n")
	return &FastClient{
		buffer:     make([]byte, 128*1024),
		req:        req.Bytes(),
		dest:       dest,
		keepAlive:  keepAlive,
		halfClose:  halfClose,
		reqTimeout: reqTimeout,
	}
}

func (c *FastClient) returnRes() (int, []byte, int) {
	return c.code, c.buffer[:c.size], c.headerLen
}

func (c *FastClient) connect() net.Conn {
	c.socketCount++
	var socket net.Conn
	var err error
	d := &net.Dialer{Timeout: c.reqTimeout}
	socket, err = d.Dial(c.dest.Network(), c.dest.String())
	if err != nil {
		log.Printf("[%d] Unable to connect to %v : %v", c.id, c.dest, err)
		return nil
	}
	return socket
}

// Fetch fetches the url content. Returns http code, data, offset of body.
func (c *FastClient) Fetch() (int, []byte, int) {
	c.code = SocketError
	c.size = 0
	c.headerLen = 0
	// Connect or reuse existing socket:
	conn := c.socket
	reuse := (conn != nil)
	if !reuse {
		conn = c.connect()
		if conn == nil {
			return c.returnRes()
		}
	} else {
		log.Printf("Reusing socket %v", conn)
	}
	c.socket = nil // because of error returns and single retry
	conErr := conn.SetReadDeadline(time.Now().Add(c.reqTimeout))
	// Send the request:
	req := c.req
	n, err := conn.Write(req)
	if err != nil || conErr != nil {
		if reuse {
			// it's ok for the (idle) socket to die once, auto reconnect:
			log.Printf("[%d] Closing dead socket %v (%v)", c.id, c.dest, err)
			conn.Close()
			c.errorCount++
			return c.Fetch() // recurse once
		}
		log.Printf("[%d] Unable to write to %v : %v", c.id, c.dest, err)
		return c.returnRes()
	}
	if n != len(c.req) {
		log.Printf("[%d] Short write to %v : %d instead of %d", c.id, c.dest, n, len(c.req))
		return c.returnRes()
	}
	if !c.keepAlive && c.halfClose {
		tcpConn, ok := conn.(*net.TCPConn)
		if ok {
			if err = tcpConn.CloseWrite(); err != nil {
				log.Printf("[%d] Unable to close write to %v : %v", c.id, c.dest, err)
				return c.returnRes()
			} // else:
			log.Printf("Half closed ok after sending request %v %v", conn, c.dest)
		} else {
			log.Printf("[%d] Unable to close write non tcp connection %v", c.id, c.dest)
		}
	}
	// Read the response:
	c.readResponse(conn, reuse)
	if c.code == RetryOnce {
		// Special "eof on reused socket" code
		return c.Fetch() // recurse once
	}
	// Return the result:
	return c.returnRes()
}

// readResponse reads the response (reduced: header/chunk parsing cut).
func (c *FastClient) readResponse(conn net.Conn, reusedSocket bool) {
	c.code = http.StatusOK
	contentLength := -1
	for c.size < len(c.buffer) {
		n, err := conn.Read(c.buffer[c.size:])
		if err != nil {
			if reusedSocket && c.size == 0 {
				// Ok for reused socket to be dead once (close by server)
				log.Printf("[%d] Closing dead socket %v (err %v at first read)", c.id, c.dest, err)
				c.errorCount++
				if cerr := conn.Close(); cerr != nil {
					log.Printf("[%d] Error closing dead socket %v: %v", c.id, c.dest, cerr)
				}
				c.code = RetryOnce // special "retry once" code
				return
			}
			if errors.Is(err, io.EOF) && c.size != 0 {
				break
			}
			log.Printf("[%d] Read error for %v %d : %v", c.id, c.dest, c.size, err)
			c.code = SocketError
			break
		}
		c.size += n
		if c.headerLen == 0 {
			if idx := bytes.Index(c.buffer[:c.size], []byte("\r\n\r\n")); idx >= 0 {
				c.headerLen = idx + 4
				contentLength = parseContentLength(c.buffer[:idx])
			}
		}
		if c.headerLen > 0 && contentLength >= 0 && c.size >= c.headerLen+contentLength {
			break
		}
	}
	if c.keepAlive {
		c.socket = conn // keep the open socket
	} else {
		if err := conn.Close(); err != nil {
			log.Printf("[%d] Close error %v %d : %v", c.id, c.dest, c.size, err)
		}
	}
}

// parseContentLength returns the Content-Length header value or -1.
func parseContentLength(headers []byte) int {
	for _, line := range bytes.Split(headers, []byte("\r\n")) {
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok || !bytes.EqualFold(bytes.TrimSpace(k), []byte("Content-Length")) {
			continue
		}
		n, err := strconv.Atoi(string(bytes.TrimSpace(v)))
		if err != nil {
			return -1
		}
		return n
	}
	return -1
}
