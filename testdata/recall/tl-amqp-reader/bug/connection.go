// Recall case tl-amqp-reader
// Source: github.com/streadway/amqp commit cee2187138b664d711df8868af6eee52ce2e7153 (connection.go)
// Link: https://github.com/streadway/amqp/commit/cee2187138b664d711df8868af6eee52ce2e7153
// Bug: Connection.reader does a blocking send c.deadlines <- conn after every frame; on Close the heartbeater (the only receiver) exits via its done channel, the 1-slot buffer fills and the reader goroutine is stuck forever.
// Fix: the send is made non-blocking (select { case c.deadlines <- conn: default: }).
// Rule: timeoutleak
package amqptl

import (
	"bufio"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

type Error struct {
	Code   int
	Reason string
}

func (e *Error) Error() string { return e.Reason }

const FrameError = 501

type readDeadliner interface {
	SetReadDeadline(time.Time) error
}

type frame []byte

// reader is the reduced frame reader: one frame per line.
type reader struct {
	r *bufio.Reader
}

func (r *reader) ReadFrame() (frame, error) {
	line, err := r.r.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	return frame(line), nil
}

type Connection struct {
	destructor sync.Once
	sendM      sync.Mutex
	m          sync.Mutex

	conn io.ReadWriteCloser

	sends     chan time.Time
	deadlines chan readDeadliner // heartbeater updates read deadlines

	closes []chan *Error
	errors chan *Error

	lastFrame frame
	closed    int32
}

// Open accepts an already established connection as a transport.
func Open(conn io.ReadWriteCloser, heartbeat time.Duration) (*Connection, error) {
	c := &Connection{
		conn:      conn,
		sends:     make(chan time.Time),
		errors:    make(chan *Error, 1),
		deadlines: make(chan readDeadliner, 1),
	}
	go c.reader(conn)
	c.openTune(heartbeat)
	return c, nil
}

func (c *Connection) openTune(heartbeat time.Duration) {
	go c.heartbeater(heartbeat, c.NotifyClose(make(chan *Error, 1)))
}

// NotifyClose registers a listener for close events.
func (c *Connection) NotifyClose(receiver chan *Error) chan *Error {
	c.m.Lock()
	defer c.m.Unlock()
	c.closes = append(c.closes, receiver)
	return receiver
}

func (c *Connection) IsClosed() bool {
	return atomic.LoadInt32(&c.closed) == 1
}

// Close tears the connection down.
func (c *Connection) Close() error {
	if c.IsClosed() {
		return &Error{Code: 504, Reason: "channel/connection is not open"}
	}
	c.shutdown(nil)
	return nil
}

func (c *Connection) send(f frame) error {
	if c.IsClosed() {
		return &Error{Code: 504, Reason: "channel/connection is not open"}
	}
	c.sendM.Lock()
	_, err := c.conn.Write(f)
	c.sendM.Unlock()
	if err != nil {
		go c.shutdown(&Error{Code: FrameError, Reason: err.Error()})
	} else {
		select {
		case c.sends <- time.Now():
		default:
		}
	}
	return err
}

func (c *Connection) shutdown(err *Error) {
	atomic.StoreInt32(&c.closed, 1)

	c.destructor.Do(func() {
		c.m.Lock()
		defer c.m.Unlock()

		if err != nil {
			for _, c := range c.closes {
				c <- err
			}
			c.errors <- err
		}
		close(c.errors)

		for _, c := range c.closes {
			close(c)
		}

		c.conn.Close()
	})
}

func (c *Connection) demux(f frame) {
	c.m.Lock()
	c.lastFrame = f
	c.m.Unlock()
}

// Reads each frame off the IO and hand off to the connection object.
func (c *Connection) reader(r io.Reader) {
	buf := bufio.NewReader(r)
	frames := &reader{buf}
	conn, haveDeadliner := r.(readDeadliner)

	for {
		frame, err := frames.ReadFrame()

		if err != nil {
			c.shutdown(&Error{Code: FrameError, Reason: err.Error()})
			return
		}

		c.demux(frame)

		if haveDeadliner {
			c.deadlines <- conn
		}
	}
}

// Ensures that at least one frame is being sent at the tuned interval with a
// jitter tolerance of 1s
func (c *Connection) heartbeater(interval time.Duration, done chan *Error) {
	const maxServerHeartbeatsInFlight = 3

	var sendTicks <-chan time.Time
	if interval > 0 {
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		sendTicks = ticker.C
	}

	lastSent := time.Now()

	for {
		select {
		case at, stillSending := <-c.sends:
			if stillSending {
				lastSent = at
			} else {
				return
			}

		case at := <-sendTicks:
			if at.Sub(lastSent) > interval-time.Second {
				if err := c.send(frame("heartbeat\n")); err != nil {
					return
				}
			}

		case conn := <-c.deadlines:
			if interval > 0 {
				conn.SetReadDeadline(time.Now().Add(maxServerHeartbeatsInFlight * interval))
			}

		case <-done:
			return
		}
	}
}
