// Recall case sc-substrate-handleacks
// Source: github.com/uw-labs/substrate commit 3aa102d9306e71565a679622756535beca8f490b (natsstreaming/nats_streaming.go)
// Link: https://github.com/uw-labs/substrate/commit/3aa102d9306e71565a679622756535beca8f490b
// Bug: handleAcks returns nil when ctx is done, so ConsumeMessages reports a cancelled consumer as a clean, successful exit (callers cannot tell cancellation from success).
// Fix: the ctx.Done() branch returns ctx.Err() instead of nil.
// Rule: swallowcancel
package natsstreaming

import (
	"bufio"
	"context"
	"fmt"
	"net"
)

// Message is substrate.Message.
type Message interface {
	Data() []byte
}

// InvalidAckError is substrate.InvalidAckError.
type InvalidAckError struct {
	Acked    Message
	Expected Message
}

func (e InvalidAckError) Error() string {
	return fmt.Sprintf("ack was not in the expected order: acked %v, expected %v", e.Acked, e.Expected)
}

// stanConn is a stand-in for the NATS streaming connection: a raw TCP
// connection to the NATS server.
type stanConn struct {
	nc net.Conn
}

// stanMsg is a stand-in for *stan.Msg.
type stanMsg struct {
	conn     *stanConn
	Data     []byte
	Sequence uint64
	ackInbox string
}

// Ack publishes the acknowledgement to the server (like stan.Msg.Ack).
func (m *stanMsg) Ack() error {
	_, err := fmt.Fprintf(m.conn.nc, "PUB %s %d\r\n%d\r\n", m.ackInbox, len(fmt.Sprint(m.Sequence)), m.Sequence)
	return err
}

type subscription struct {
	conn   *stanConn
	cancel context.CancelFunc
}

func (s *subscription) Close() error {
	s.cancel()
	_, err := fmt.Fprintf(s.conn.nc, "UNSUB 1\r\n")
	return err
}

// subscribe is a stand-in for conn.QueueSubscribe with the message callback of
// ConsumeMessages: each received message is first handed to the ack loop
// (msgsToAck), then to the consumer (messages).
func (c *asyncMessageSource) subscribe(ctx context.Context, msgsToAck chan<- *consumerMessage, messages chan<- Message) (*subscription, error) {
	if _, err := fmt.Fprintf(c.conn.nc, "SUB %s %s 1\r\n", c.subject, c.queueGroup); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		r := bufio.NewReader(c.conn.nc)
		var seq uint64
		for {
			line, err := r.ReadBytes('\n')
			if err != nil {
				return
			}
			seq++
			cm := &consumerMessage{&stanMsg{conn: c.conn, Data: line, Sequence: seq, ackInbox: c.subject + ".acks"}}
			select {
			case <-ctx.Done():
				return
			case msgsToAck <- cm:
			}
			select {
			case <-ctx.Done():
				return
			case messages <- cm:
			}
		}
	}()
	return &subscription{conn: c.conn, cancel: cancel}, nil
}
