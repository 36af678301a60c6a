// Recall case sc-substrate-handleacks
// Source: github.com/uw-labs/substrate commit 3aa102d9306e71565a679622756535beca8f490b (natsstreaming/nats_streaming.go)
// Link: https://github.com/uw-labs/substrate/commit/3aa102d9306e71565a679622756535beca8f490b
// Bug: handleAcks returns nil when ctx is done, so ConsumeMessages reports a cancelled consumer as a clean, successful exit (callers cannot tell cancellation from success).
// Fix: the ctx.Done() branch returns ctx.Err() instead of nil.
// Rule: swallowcancel
package natsstreaming

import (
	"context"
	"errors"
	"fmt"
)

type asyncMessageSource struct {
	conn         *stanConn
	subject      string
	queueGroup   string
	disconnected chan error
}

type consumerMessage struct {
	m *stanMsg
}

func (cm *consumerMessage) Data() []byte {
	return cm.m.Data
}

func (c *asyncMessageSource) ConsumeMessages(ctx context.Context, messages chan<- Message, acks <-chan Message) error {
	msgsToAck := make(chan *consumerMessage)

	sub, err := c.subscribe(ctx, msgsToAck, messages)
	if err != nil {
		return err
	}

	err = handleAcks(ctx, msgsToAck, acks, c.disconnected)

	se := sub.Close()
	if err == nil {
		err = se
	}

	return err
}

func handleAcks(ctx context.Context, msgsToAck chan *consumerMessage, acks <-chan Message, disconnected <-chan error) error {
	var toAck []*consumerMessage

	for {
		select {
		case msgToAck := <-msgsToAck:
			toAck = append(toAck, msgToAck)
		case cr := <-acks:
			if len(toAck) == 0 {
				return InvalidAckError{Acked: cr, Expected: nil}
			}
			msgToAck := toAck[0]
			cm, ok := cr.(*consumerMessage)
			if !ok || cm != msgToAck {
				return InvalidAckError{Acked: cr, Expected: msgToAck}
			}
			if err := msgToAck.m.Ack(); err != nil {
				return fmt.Errorf("failed to ack message with NATS: %v", err.Error())
			}
			toAck = toAck[1:]
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-disconnected:
			if ok {
				return e
			}
			return errors.New("nats connection no longer active, exiting ack loop")
		}
	}
}
