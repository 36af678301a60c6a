// Recall case sd-amqp091-publishctx
// Source: github.com/rabbitmq/amqp091-go commit dbf5f6909aaf817c5533269a62af4ef453638846 (channel.go)
// Link: https://github.com/rabbitmq/amqp091-go/commit/dbf5f6909aaf817c5533269a62af4ef453638846
// Bug: Channel.PublishWithContext discards its ctx (`_ context.Context`) and calls ch.Publish -> PublishWithDeferredConfirm -> send -> Connection frame write on the socket, so the caller's deadline/cancellation is ignored while the write blocks
// Fix: PublishWithContext returns ctx.Err() early, runs ch.Publish in a goroutine feeding a buffered errChan, and selects on errChan vs ctx.Done()
// Rule: sharedeadline
package amqp091

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync"
)

var ErrClosed = errors.New("Exception (504) Reason: \"channel/connection is not open\"")

type Publishing struct {
	ContentType string
	Body        []byte
}

type basicPublish struct {
	Exchange   string
	RoutingKey string
	Mandatory  bool
	Immediate  bool
	Body       []byte
}

// Connection is a reduced amqp091 Connection writing frames to the socket.
type Connection struct {
	destructor sync.Once
	sendM      sync.Mutex
	conn       net.Conn
	writer     *bufio.Writer
	closed     bool
}

func newConnection(conn net.Conn) *Connection {
	return &Connection{conn: conn, writer: bufio.NewWriter(conn)}
}

func (c *Connection) sendUnflushed(frame []byte) error {
	if c.closed {
		return ErrClosed
	}
	_, err := c.writer.Write(frame)
	return err
}

func (c *Connection) endSendUnflushed() error {
	return c.writer.Flush()
}

type Channel struct {
	m          sync.Mutex
	connection *Connection
	closed     bool
}

func (ch *Channel) IsClosed() bool {
	return ch.closed
}

func (ch *Channel) send(msg *basicPublish) (err error) {
	if ch.IsClosed() {
		return ErrClosed
	}
	return ch.sendOpen(msg)
}

func (ch *Channel) sendOpen(msg *basicPublish) (err error) {
	ch.connection.sendM.Lock()
	defer ch.connection.sendM.Unlock()

	// Flush the buffer only after all the Frames that comprise the Message
	// have been written to maximise benefits of using a buffered writer.
	defer func() {
		if endError := ch.connection.endSendUnflushed(); endError != nil {
			if err == nil {
				err = endError
			}
		}
	}()

	frame := append([]byte(msg.Exchange+"\x00"+msg.RoutingKey+"\x00"), msg.Body...)
	return ch.connection.sendUnflushed(frame)
}

func (ch *Channel) PublishWithDeferredConfirm(exchange, key string, mandatory, immediate bool, msg Publishing) (*struct{}, error) {
	ch.m.Lock()
	defer ch.m.Unlock()

	if err := ch.send(&basicPublish{
		Exchange:   exchange,
		RoutingKey: key,
		Mandatory:  mandatory,
		Immediate:  immediate,
		Body:       msg.Body,
	}); err != nil {
		return nil, err
	}
	return nil, nil
}

func (ch *Channel) Publish(exchange, key string, mandatory, immediate bool, msg Publishing) error {
	_, err := ch.PublishWithDeferredConfirm(exchange, key, mandatory, immediate, msg)
	return err
}

/*
PublishWithContext sends a Publishing from the client to an exchange on the server.

NOTE: this function is equivalent to [Channel.Publish]. Context is not honoured.
*/
func (ch *Channel) PublishWithContext(_ context.Context, exchange, key string, mandatory, immediate bool, msg Publishing) error {
	return ch.Publish(exchange, key, mandatory, immediate, msg)
}
