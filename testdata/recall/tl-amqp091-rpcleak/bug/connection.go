// Recall case tl-amqp091-rpcleak
// Source: github.com/rabbitmq/amqp091-go commit 2dfde48cca83c397f38785194b0574dec3a5165d (connection.go)
// Link: https://github.com/rabbitmq/amqp091-go/commit/2dfde48cca83c397f38785194b0574dec3a5165d
// Bug: Connection.call selects on c.errors vs the unbuffered c.rpc and returns early on an error/closed errors chan, leaving the reader goroutine (reader -> demux -> dispatch0) blocked forever on `c.rpc <- m` with nobody receiving (issue #69)
// Fix: reader does `defer close(c.rpc)` and call always receives from c.rpc first, only falling back to c.errors once c.rpc is closed
// Rule: timeoutleak
package amqp091

import (
	"bufio"
	"errors"
	"io"
	"net"
	"reflect"
	"sync"
	"sync/atomic"
)

var (
	ErrClosed         = errors.New("Exception (504) Reason: \"channel/connection is not open\"")
	ErrCommandInvalid = errors.New("Exception (503) Reason: \"unexpected command received\"")
)

type Error struct {
	Code   int
	Reason string
}

func (e *Error) Error() string { return e.Reason }

const FrameError = 501

type message interface{}

type connectionClose struct {
	ReplyCode uint16
	ReplyText string
}

type connectionCloseOk struct{}

type frame struct {
	channel uint16
	method  message
}

// Connection is a reduced amqp091 Connection.
type Connection struct {
	destructor sync.Once
	sendM      sync.Mutex

	conn net.Conn

	rpc    chan message
	errors chan *Error

	closed int32
}

func Open(conn net.Conn) *Connection {
	c := &Connection{
		conn:   conn,
		rpc:    make(chan message),
		errors: make(chan *Error, 1),
	}
	go c.reader(conn)
	return c
}

func (c *Connection) IsClosed() bool {
	return atomic.LoadInt32(&c.closed) == 1
}

// Close requests and waits for the response to close the AMQP connection.
func (c *Connection) Close() error {
	if c.IsClosed() {
		return ErrClosed
	}

	defer c.shutdown(nil)
	return c.call(
		&connectionClose{
			ReplyCode: 200,
			ReplyText: "kthxbai",
		},
		&connectionCloseOk{},
	)
}

func (c *Connection) send(f *frame) error {
	if c.IsClosed() {
		return ErrClosed
	}
	c.sendM.Lock()
	defer c.sendM.Unlock()
	_, err := c.conn.Write([]byte{byte(f.channel >> 8), byte(f.channel), 0xce})
	return err
}

func (c *Connection) shutdown(err *Error) {
	atomic.StoreInt32(&c.closed, 1)

	c.destructor.Do(func() {
		if err != nil {
			c.errors <- err
		}
		// Shutdown handler goroutine can still receive the result.
		close(c.errors)

		c.conn.Close()
	})
}

func (c *Connection) demux(f *frame) {
	if f.channel == 0 {
		c.dispatch0(f)
	}
}

func (c *Connection) dispatch0(f *frame) {
	switch m := f.method.(type) {
	case *connectionClose:
		c.shutdown(&Error{Code: int(m.ReplyCode), Reason: m.ReplyText})
	default:
		c.rpc <- m
	}
}

func readFrame(buf *bufio.Reader) (*frame, error) {
	var hdr [3]byte
	if _, err := io.ReadFull(buf, hdr[:]); err != nil {
		return nil, err
	}
	f := &frame{channel: uint16(hdr[0])<<8 | uint16(hdr[1])}
	if hdr[2] == 0x01 {
		f.method = &connectionClose{ReplyCode: 320, ReplyText: "CONNECTION_FORCED"}
	} else {
		f.method = &connectionCloseOk{}
	}
	return f, nil
}

func (c *Connection) reader(r io.Reader) {
	buf := bufio.NewReader(r)

	for {
		frame, err := readFrame(buf)

		if err != nil {
			c.shutdown(&Error{Code: FrameError, Reason: err.Error()})
			return
		}

		c.demux(frame)
	}
}

func (c *Connection) call(req message, res ...message) error {
	// Special case for when the protocol header frame is sent insted of a
	// request method
	if req != nil {
		if err := c.send(&frame{channel: 0, method: req}); err != nil {
			return err
		}
	}

	select {
	case err, ok := <-c.errors:
		if !ok {
			return ErrClosed
		}
		return err

	case msg := <-c.rpc:
		// Try to match one of the result types
		for _, try := range res {
			if reflect.TypeOf(msg) == reflect.TypeOf(try) {
				// *res = *msg
				vres := reflect.ValueOf(try).Elem()
				vmsg := reflect.ValueOf(msg).Elem()
				vres.Set(vmsg)
				return nil
			}
		}
		return ErrCommandInvalid
	}
	// unreachable
}
