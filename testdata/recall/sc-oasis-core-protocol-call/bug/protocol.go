// Recall case sc-oasis-core-protocol-call
// Source: github.com/oasisprotocol/oasis-core commit 0ef4d06a018f95be4ba205c00794e5943f42f2cb (go/worker/host/protocol/protocol.go)
// Link: https://github.com/oasisprotocol/oasis-core/commit/0ef4d06a018f95be4ba205c00794e5943f42f2cb
// Bug: When the caller's ctx is cancelled while Protocol.Call / MakeRequest wait for the worker connection, they return errors.New("aborted by context"), so the cancellation is replaced by an opaque error and errors.Is(err, context.Canceled) fails for callers.
// Fix: Both <-ctx.Done() branches return context.Canceled instead of a new error.
// Rule: swallowcancel
package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"sync"
)

// Error is a protocol error.
type Error struct {
	Message string `json:"message"`
}

// Body is a protocol message body.
type Body struct {
	Payload json.RawMessage `json:"payload,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// MessageType is a message type.
type MessageType uint8

const (
	MessageInvalid MessageType = iota
	MessageRequest
	MessageResponse
	MessageKeepAlive
)

// Message is a protocol message.
type Message struct {
	ID          uint64      `json:"id"`
	MessageType MessageType `json:"message_type"`
	Body        Body        `json:"body"`
}

// messageCodec is a stand-in for cbor.MessageCodec over the connection.
type messageCodec struct {
	enc *json.Encoder
	dec *json.Decoder
}

func newMessageCodec(conn net.Conn) *messageCodec {
	return &messageCodec{enc: json.NewEncoder(conn), dec: json.NewDecoder(conn)}
}

func (c *messageCodec) Write(msg *Message) error { return c.enc.Encode(msg) }
func (c *messageCodec) Read(msg *Message) error  { return c.dec.Decode(msg) }

// Handler is a protocol message handler.
type Handler interface {
	// Handle given request and return a response.
	Handle(context.Context, *Body) (*Body, error)
}

// Protocol is a host-worker protocol instance.
type Protocol struct {
	sync.Mutex

	conn  net.Conn
	codec *messageCodec

	handler         Handler
	pendingRequests map[uint64]chan *Body
	nextRequestID   uint64

	outCh   chan *Message
	closeCh chan struct{}
	quitWg  sync.WaitGroup
}

// Close closes the connection.
func (p *Protocol) Close() {
	if err := p.conn.Close(); err != nil {
		log.Printf("error while closing connection: %v", err)
	}

	p.quitWg.Wait()
}

// Call sends a request to the other side and returns the response or error.
func (p *Protocol) Call(ctx context.Context, body *Body) (*Body, error) {
	respCh, err := p.MakeRequest(ctx, body)
	if err != nil {
		return nil, err
	}

	select {
	case resp, ok := <-respCh:
		if !ok {
			return nil, errors.New("channel closed")
		}

		if resp.Error != nil {
			return nil, errors.New(resp.Error.Message)
		}

		return resp, nil
	case <-ctx.Done():
		return nil, errors.New("aborted by context")
	}
}

// MakeRequest sends a request to the other side.
func (p *Protocol) MakeRequest(ctx context.Context, body *Body) (<-chan *Body, error) {
	// Create channel for sending the response and grab next request identifier.
	ch := make(chan *Body, 1)

	p.Lock()
	id := p.nextRequestID
	p.nextRequestID++
	p.pendingRequests[id] = ch
	p.Unlock()

	msg := Message{
		ID:          id,
		MessageType: MessageRequest,
		Body:        *body,
	}

	// Queue the message.
	select {
	case p.outCh <- &msg:
	case <-p.closeCh:
		return nil, errors.New("connection closed")
	case <-ctx.Done():
		return nil, errors.New("aborted by context")
	}

	return ch, nil
}

func (p *Protocol) workerOutgoing() {
	defer p.quitWg.Done()

	for {
		select {
		case msg := <-p.outCh:
			// Outgoing message, send it.
			if err := p.codec.Write(msg); err != nil {
				log.Printf("error while sending message: %v", err)
			}
		case <-p.closeCh:
			// Connection has terminated.
			return
		}
	}
}

func (p *Protocol) handleMessage(ctx context.Context, message *Message) {
	switch message.MessageType {
	case MessageRequest:
		// Incoming request.
		body, err := p.handler.Handle(ctx, &message.Body)
		if err != nil {
			body = &Body{Error: &Error{Message: err.Error()}}
		}

		msg := Message{
			ID:          message.ID,
			MessageType: MessageResponse,
			Body:        *body,
		}

		select {
		case p.outCh <- &msg:
		case <-ctx.Done():
			log.Printf("request canceled by context")
		}
	case MessageResponse:
		// Response to our request.
		p.Lock()
		respCh, ok := p.pendingRequests[message.ID]
		delete(p.pendingRequests, message.ID)
		p.Unlock()

		if !ok {
			log.Printf("received a response but no request with id %d is outstanding", message.ID)
			break
		}

		respCh <- &message.Body
		close(respCh)
	case MessageKeepAlive:
		// Keep-alive message, ignore it.
	default:
		log.Printf("received a malformed message from worker, ignoring: %s", fmt.Sprintf("%+v", message))
	}
}

func (p *Protocol) workerIncoming() {
	ctx, cancel := context.WithCancel(context.Background())
	defer func() {
		// Close connection and signal that connection is closed.
		_ = p.conn.Close()
		close(p.closeCh)

		// Cancel all request handlers.
		cancel()

		// Close all pending request channels.
		p.Lock()
		for id, ch := range p.pendingRequests {
			close(ch)
			delete(p.pendingRequests, id)
		}
		p.Unlock()

		p.quitWg.Done()
	}()

	for {
		// Decode incoming messages.
		var message Message
		err := p.codec.Read(&message)
		if err != nil {
			log.Printf("error while receiving message from worker: %v", err)
			break
		}

		// Handle message in a separate goroutine.
		go p.handleMessage(ctx, &message)
	}
}

// New creates a new protocol instance.
func New(conn net.Conn, handler Handler) (*Protocol, error) {
	p := &Protocol{
		conn:            conn,
		codec:           newMessageCodec(conn),
		handler:         handler,
		pendingRequests: make(map[uint64]chan *Body),
		outCh:           make(chan *Message),
		closeCh:         make(chan struct{}),
	}
	p.quitWg.Add(2)
	go p.workerIncoming()
	go p.workerOutgoing()

	return p, nil
}
