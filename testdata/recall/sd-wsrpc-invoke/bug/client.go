// Recall case sd-wsrpc-invoke
// Source: github.com/smartcontractkit/wsrpc commit 686b3b7d7f67217dde61790f532626e1fb15ac9c (client.go)
// Link: https://github.com/smartcontractkit/wsrpc/commit/686b3b7d7f67217dde61790f532626e1fb15ac9c
// Bug: ClientConn.Invoke takes a ctx but waits for the RPC response with its own hard-coded time.After(2 * time.Second) budget, ignoring the caller's ctx deadline/cancellation (a longer caller deadline is cut to 2s, a cancelled caller still waits).
// Fix: wait on ctx.Done() instead of time.After(2s) and return fmt.Errorf("call timeout: %w", ctx.Err()).
// Rule: sharedeadline
package wsrpc

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Request / Response are the wire messages (stand-ins for the protobuf messages).
type Request struct {
	CallID  string          `json:"call_id"`
	Method  string          `json:"method"`
	Payload json.RawMessage `json:"payload"`
}

type Response struct {
	CallID  string          `json:"call_id"`
	Payload json.RawMessage `json:"payload"`
	Error   string          `json:"error"`
}

// transport is a stand-in for the websocket transport: one JSON message per line over a net.Conn.
type transport struct {
	conn net.Conn
	wmu  sync.Mutex
}

func (t *transport) Write(b []byte) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	_, err := t.conn.Write(append(b, '\n'))
	return err
}

// ClientConn represents a virtual connection to a websocket endpoint.
type ClientConn struct {
	mu          sync.RWMutex
	transport   *transport
	nextID      atomic.Uint64
	methodCalls map[string]chan<- *Response
}

// Dial connects to the target and starts the read loop.
func Dial(ctx context.Context, target string) (*ClientConn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		return nil, err
	}
	cc := &ClientConn{
		transport:   &transport{conn: conn},
		methodCalls: map[string]chan<- *Response{},
	}
	go cc.handleRead()
	return cc, nil
}

func (cc *ClientConn) handleRead() {
	sc := bufio.NewScanner(cc.transport.conn)
	for sc.Scan() {
		var r Response
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			continue
		}
		cc.handleMessageResponse(&r)
	}
}

// handleMessageResponse finds the call which matches the method call id of the
// response and sends the payload to the call channel.
func (cc *ClientConn) handleMessageResponse(r *Response) {
	cc.mu.Lock()
	defer cc.mu.Unlock()

	if call, ok := cc.methodCalls[r.CallID]; ok {
		call <- r
		cc.removeMethodCall(r.CallID)
	}
}

// Invoke sends the RPC request on the wire and returns after response is
// received.
func (cc *ClientConn) Invoke(ctx context.Context, method string, args interface{}, reply interface{}) error {
	callID := strconv.FormatUint(cc.nextID.Add(1), 10)
	payload, err := json.Marshal(args)
	if err != nil {
		return err
	}
	reqB, err := json.Marshal(&Request{CallID: callID, Method: method, Payload: payload})
	if err != nil {
		return err
	}

	cc.mu.Lock()
	wait := cc.registerMethodCall(callID)
	cc.mu.Unlock()

	if err := cc.transport.Write(reqB); err != nil {
		return err
	}

	// Wait for the response
	select {
	case resp := <-wait:
		if resp.Error != "" {
			return errors.New(resp.Error)
		}
		if err := json.Unmarshal(resp.Payload, reply); err != nil {
			return err
		}
	case <-time.After(2 * time.Second): // TODO - Make this configurable
		// Remove the call since we have timeout
		cc.mu.Lock()
		cc.removeMethodCall(callID)
		cc.mu.Unlock()

		return errors.New("call timeout")
	}

	return nil
}

// registerMethodCall registers a method call to the method call map.
// This requires a lock on cc.mu.
func (cc *ClientConn) registerMethodCall(id string) <-chan *Response {
	wait := make(chan *Response)
	cc.methodCalls[id] = wait
	return wait
}

// removeMethodCall deregisters a method call. This requires a lock on cc.mu.
func (cc *ClientConn) removeMethodCall(id string) {
	delete(cc.methodCalls, id)
}
