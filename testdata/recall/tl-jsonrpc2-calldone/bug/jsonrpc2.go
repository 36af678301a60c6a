// Recall case tl-jsonrpc2-calldone
// Source: github.com/sourcegraph/jsonrpc2 commit 9fdd802ab4655d2258cef1b05c81be8e0fe4e2ad (jsonrpc2.go)
// Link: https://github.com/sourcegraph/jsonrpc2/commit/9fdd802ab4655d2258cef1b05c81be8e0fe4e2ad
// Bug: Conn.send creates call.done unbuffered; Call returns early on ctx.Done(), after which the readMessages goroutine blocks forever sending the late response (or the shutdown error) on call.done, stalling the connection reader.
// Fix: call.done is created with a buffer of 1 so the reader can deposit the result and move on when the caller has gone.
// Rule: timeoutleak
package jsonrpc2

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync"
)

// Request represents a JSON-RPC request or notification.
type Request struct {
	Method string           `json:"method"`
	Params *json.RawMessage `json:"params,omitempty"`
	ID     uint64           `json:"id"`
	Notif  bool             `json:"-"`
}

// Error represents a JSON-RPC response error.
type Error struct {
	Code    int64  `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("jsonrpc2: code %v message: %s", e.Code, e.Message) }

// Response represents a JSON-RPC response.
type Response struct {
	ID     uint64           `json:"id"`
	Result *json.RawMessage `json:"result,omitempty"`
	Error  *Error           `json:"error,omitempty"`
}

// anyMessage is either a request or a response on the wire.
type anyMessage struct {
	request  *Request
	response *Response
}

func (m anyMessage) MarshalJSON() ([]byte, error) {
	if m.request != nil {
		return json.Marshal(struct {
			JSONRPC string `json:"jsonrpc"`
			*Request
		}{"2.0", m.request})
	}
	return json.Marshal(struct {
		JSONRPC string `json:"jsonrpc"`
		*Response
	}{"2.0", m.response})
}

func (m *anyMessage) UnmarshalJSON(data []byte) error {
	var probe struct {
		Method *string `json:"method"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return err
	}
	if probe.Method != nil {
		m.request = new(Request)
		return json.Unmarshal(data, m.request)
	}
	m.response = new(Response)
	return json.Unmarshal(data, m.response)
}

type call struct {
	request  *Request
	response *Response
	seq      uint64
	done     chan error
}

// Conn is a JSON-RPC client/server connection.
type Conn struct {
	conn net.Conn // all writes should go through w, all reads through readMessages
	w    *bufio.Writer

	mu       sync.Mutex
	shutdown bool
	closing  bool
	seq      uint64
	pending  map[uint64]*call

	sending sync.Mutex

	disconnect chan struct{}
}

// ErrClosed indicates that the JSON-RPC connection is closed (or in
// the process of closing).
var ErrClosed = errors.New("jsonrpc2: connection is closed")

// NewConn creates a new JSON-RPC client/server connection using the given conn.
func NewConn(ctx context.Context, conn net.Conn) *Conn {
	c := &Conn{
		conn:       conn,
		w:          bufio.NewWriter(conn),
		pending:    map[uint64]*call{},
		disconnect: make(chan struct{}),
	}
	go c.readMessages(ctx, bufio.NewReader(conn))
	return c
}

// Close closes the JSON-RPC connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.shutdown || c.closing {
		c.mu.Unlock()
		return ErrClosed
	}
	c.closing = true
	c.mu.Unlock()
	return c.conn.Close()
}

func marshalHeadersAndBody(w io.Writer, m *anyMessage) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "Content-Length: %d\r\n\r\n", len(body)); err != nil {
		return err
	}
	_, err = w.Write(body)
	return err
}

func readHeaderContentLength(r *bufio.Reader) (uint32, error) {
	var contentLength uint32
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return 0, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return 0, err
			}
			contentLength = uint32(n)
		}
	}
	if contentLength == 0 {
		return 0, errors.New("jsonrpc2: no Content-Length header found")
	}
	return contentLength, nil
}

func (c *Conn) send(ctx context.Context, m *anyMessage, wait bool) (*call, error) {
	c.sending.Lock()
	defer c.sending.Unlock()

	c.mu.Lock()
	if c.shutdown || c.closing {
		c.mu.Unlock()
		return nil, ErrClosed
	}

	// Store requests so we can later associate them with incoming
	// responses.
	var cc *call
	if m.request != nil && wait {
		cc = &call{request: m.request, seq: c.seq, done: make(chan error)}
		c.pending[c.seq] = cc // use next seq as call ID
		m.request.ID = c.seq
		c.seq++
	}
	c.mu.Unlock()

	err := marshalHeadersAndBody(c.w, m)
	if err != nil {
		c.w.Flush()
		if cc != nil {
			c.mu.Lock()
			delete(c.pending, cc.seq)
			c.mu.Unlock()
		}
		return nil, err
	}
	return cc, c.w.Flush()
}

// Call initiates a JSON-RPC call using the specified method and
// params, and waits for the response.
func (c *Conn) Call(ctx context.Context, method string, params, result any) error {
	req := &Request{Method: method}
	if params != nil {
		b, err := json.Marshal(params)
		if err != nil {
			return err
		}
		raw := json.RawMessage(b)
		req.Params = &raw
	}
	call, err := c.send(ctx, &anyMessage{request: req}, true)
	if err != nil {
		return err
	}
	select {
	case err, ok := <-call.done:
		if !ok {
			err = ErrClosed
		}
		if err != nil {
			return err
		}
		if result != nil && call.response.Result != nil {
			if err := json.Unmarshal(*call.response.Result, result); err != nil {
				return err
			}
		}
		return nil

	case <-ctx.Done():
		return ctx.Err()
	}
}

// DisconnectNotify returns a channel that is closed when the
// underlying connection is disconnected.
func (c *Conn) DisconnectNotify() <-chan struct{} {
	return c.disconnect
}

func (c *Conn) readMessages(ctx context.Context, r *bufio.Reader) {
	var err error
	for err == nil {
		var m anyMessage

		var n uint32
		n, err = readHeaderContentLength(r)
		if err == nil {
			err = json.NewDecoder(io.LimitReader(r, int64(n))).Decode(&m)
		}
		if err != nil {
			break
		}

		switch {
		case m.request != nil:
			log.Printf("jsonrpc2: ignoring request %q (no handler)", m.request.Method)

		case m.response != nil:
			resp := m.response
			id := resp.ID
			c.mu.Lock()
			call := c.pending[id]
			delete(c.pending, id)
			c.mu.Unlock()

			if call != nil {
				call.response = resp
			}

			switch {
			case call == nil:
				log.Printf("jsonrpc2: ignoring response #%d with no corresponding request", id)

			case resp.Error != nil:
				call.done <- resp.Error
				close(call.done)

			default:
				call.done <- nil
				close(call.done)
			}
		}
	}

	c.sending.Lock()
	c.mu.Lock()
	c.shutdown = true
	closing := c.closing
	if err == io.EOF {
		if closing {
			err = ErrClosed
		} else {
			err = io.ErrUnexpectedEOF
		}
	}
	for _, call := range c.pending {
		call.done <- err
		close(call.done)
	}
	c.mu.Unlock()
	c.sending.Unlock()
	if err != io.ErrUnexpectedEOF && !closing {
		log.Println("jsonrpc2: protocol error:", err)
	}
	close(c.disconnect)
}
