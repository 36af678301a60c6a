// Recall case nd-m3-consumerack
// Source: github.com/m3db/m3 commit 3c8177451351a8635e75a0127342a7051fb86d57 (src/msg/consumer/consumer.go)
// Link: https://github.com/m3db/m3/commit/3c8177451351a8635e75a0127342a7051fb86d57
// Bug: newConsumer wraps the raw net.Conn in the ack writer, so consumer.ackUntilClose -> tryAckAndFlush / tryAck -> encodeAckWithLock -> w.Write/Flush -> conn.Write has no write deadline and blocks forever (holding the consumer lock) when the producer stops reading; producer and consumer can deadlock.
// Fix: the ack writer wraps the conn in connWithTimeout, whose Write calls SetWriteDeadline(now+ConnectionWriteTimeout) before every write (option added in 3c81774; its 5s default, used here, comes from follow-up commit b524acbcef8e2e61c7183d3de8df9d9f9f388c8f).
// Rule: nodeadline
package consumer

import (
	"bufio"
	"encoding/binary"
	"log"
	"net"
	"sync"
	"time"
)

// Metadata is the reduced msgpb.Metadata of a consumed message.
type Metadata struct {
	Shard uint64
	ID    uint64
}

type listener struct {
	net.Listener

	opts Options
}

// NewListener creates a consumer listener.
func NewListener(addr string, opts Options) (*listener, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &listener{
		Listener: lis,
		opts:     opts,
	}, nil
}

// Accept accepts a producer connection and returns its consumer.
func (l *listener) Accept() (*consumer, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}

	return newConsumer(conn, l.opts), nil
}

type consumer struct {
	sync.Mutex

	opts Options
	w    *bufio.Writer
	conn net.Conn

	ackPb  []Metadata
	buf    []byte
	closed bool
	doneCh chan struct{}
	wg     sync.WaitGroup
}

func newConsumer(
	conn net.Conn,
	opts Options,
) *consumer {
	return &consumer{
		opts:   opts,
		w:      bufio.NewWriterSize(conn, opts.ConnectionWriteBufferSize()),
		conn:   conn,
		closed: false,
		doneCh: make(chan struct{}),
	}
}

// Init starts the background ack flushing loop.
func (c *consumer) Init() {
	c.wg.Add(1)
	go func() {
		c.ackUntilClose()
		c.wg.Done()
	}()
}

// Ack acknowledges a processed message (message.Ack in m3).
func (c *consumer) Ack(m Metadata) {
	c.tryAck(m)
}

// This function could be called concurrently if messages are being
// processed concurrently.
func (c *consumer) tryAck(m Metadata) {
	c.Lock()
	if c.closed {
		c.Unlock()
		return
	}
	c.ackPb = append(c.ackPb, m)
	ackLen := len(c.ackPb)
	if ackLen < c.opts.AckBufferSize() {
		c.Unlock()
		return
	}
	if err := c.encodeAckWithLock(ackLen); err != nil {
		c.conn.Close()
	}
	c.Unlock()
}

func (c *consumer) ackUntilClose() {
	flushTicker := time.NewTicker(c.opts.AckFlushInterval())
	defer flushTicker.Stop()

	for {
		select {
		case <-flushTicker.C:
			c.tryAckAndFlush()
		case <-c.doneCh:
			c.tryAckAndFlush()
			return
		}
	}
}

func (c *consumer) tryAckAndFlush() {
	c.Lock()
	if ackLen := len(c.ackPb); ackLen > 0 {
		c.encodeAckWithLock(ackLen)
	}
	c.w.Flush()
	c.Unlock()
}

func (c *consumer) encodeAckWithLock(ackLen int) error {
	c.buf = binary.AppendUvarint(c.buf[:0], uint64(ackLen))
	for _, m := range c.ackPb {
		c.buf = binary.AppendUvarint(c.buf, m.Shard)
		c.buf = binary.AppendUvarint(c.buf, m.ID)
	}
	c.ackPb = c.ackPb[:0]
	_, err := c.w.Write(c.buf)
	if err != nil {
		log.Printf("ack write error: %v", err)
		return err
	}
	if err := c.w.Flush(); err != nil {
		log.Printf("ack write error: %v", err)
		return err
	}
	return nil
}

// Close stops the ack loop and closes the connection.
func (c *consumer) Close() {
	c.Lock()
	if c.closed {
		c.Unlock()
		return
	}
	c.closed = true
	c.Unlock()

	close(c.doneCh)
	c.wg.Wait()
	c.conn.Close()
}
