// Recall case nd-m3-consumerack
// Source: github.com/m3db/m3 commit 3c8177451351a8635e75a0127342a7051fb86d57 (src/msg/consumer/consumer.go)
// Link: https://github.com/m3db/m3/commit/3c8177451351a8635e75a0127342a7051fb86d57
// Bug: newConsumer wraps the raw net.Conn in the ack writer, so consumer.ackUntilClose -> tryAckAndFlush / tryAck -> encodeAckWithLock -> w.Write/Flush -> conn.Write has no write deadline and blocks forever (holding the consumer lock) when the producer stops reading; producer and consumer can deadlock.
// Fix: the ack writer wraps the conn in connWithTimeout, whose Write calls SetWriteDeadline(now+ConnectionWriteTimeout) before every write (option added in 3c81774; its 5s default, used here, comes from follow-up commit b524acbcef8e2e61c7183d3de8df9d9f9f388c8f).
// Rule: nodeadline
package consumer

import (
	"time"
)

var (
	defaultAckBufferSize        = 1048576
	defaultAckFlushInterval     = 200 * time.Millisecond
	defaultConnectionBufferSize = 1048576
)

// Options configures a consumer.
type Options struct {
	ackBufferSize    int
	ackFlushInterval time.Duration
	writeBufferSize  int
}

// NewOptions creates Options with defaults.
func NewOptions() Options {
	return Options{
		ackBufferSize:    defaultAckBufferSize,
		ackFlushInterval: defaultAckFlushInterval,
		writeBufferSize:  defaultConnectionBufferSize,
	}
}

// AckBufferSize returns the ack buffer size.
func (o Options) AckBufferSize() int { return o.ackBufferSize }

// AckFlushInterval returns the ack flush interval.
func (o Options) AckFlushInterval() time.Duration { return o.ackFlushInterval }

// ConnectionWriteBufferSize returns the write buffer size.
func (o Options) ConnectionWriteBufferSize() int { return o.writeBufferSize }
