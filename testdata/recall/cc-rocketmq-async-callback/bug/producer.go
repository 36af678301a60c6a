// Recall case cc-rocketmq-async-callback
// Source: github.com/apache/rocketmq-client-go commit 3538144ece7982b5e86c776e735df8d7e480c114 (producer/producer.go)
// Link: https://github.com/apache/rocketmq-client-go/commit/3538144ece7982b5e86c776e735df8d7e480c114
// Bug: defaultProducer.sendAsync calls cancel() as the first statement of the InvokeAsync completion callback and only then runs the user's completion handler h(ctx, ...), so the final work always receives an already-cancelled ctx.
// Fix: cancel() -> defer cancel(), so ctx stays live until the completion handler h has returned.
// Rule: cleanupctx
package producer

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RemotingCommand is the reduced remote.RemotingCommand.
type RemotingCommand struct {
	Code   int16
	Opaque int32
	Body   []byte
}

// Message is the reduced primitive.Message.
type Message struct {
	Topic string
	Body  []byte
}

// MessageQueue is the reduced primitive.MessageQueue.
type MessageQueue struct {
	Topic      string
	BrokerName string
	QueueId    int
}

// SendResult is the reduced primitive.SendResult.
type SendResult struct {
	MsgID string
}

func NewSendResult() *SendResult { return &SendResult{} }

// RMQClient is the reduced internal.RMQClient interface the producer talks to.
type RMQClient interface {
	InvokeAsync(ctx context.Context, addr string, request *RemotingCommand,
		f func(*RemotingCommand, error)) error
	ProcessSendResponse(brokerName string, cmd *RemotingCommand, resp *SendResult, msgs ...*Message) error
	FindBrokerAddrByName(brokerName string) string
}

type producerOptions struct {
	SendMsgTimeout time.Duration
}

type defaultProducer struct {
	client  RMQClient
	options producerOptions
	routes  map[string]*MessageQueue
}

func (p *defaultProducer) checkMsg(msgs ...*Message) error {
	if len(msgs) == 0 {
		return errors.New("message is nil")
	}
	return nil
}

func (p *defaultProducer) encodeBatch(msgs ...*Message) *Message {
	return msgs[0]
}

func (p *defaultProducer) selectMessageQueue(msg *Message, lastBrokerName string) *MessageQueue {
	return p.routes[msg.Topic]
}

func (p *defaultProducer) buildSendRequest(mq *MessageQueue, msg *Message) *RemotingCommand {
	return &RemotingCommand{Code: 310, Body: msg.Body}
}

func (p *defaultProducer) SendAsync(ctx context.Context, f func(context.Context, *SendResult, error), msgs ...*Message) error {
	if err := p.checkMsg(msgs...); err != nil {
		return err
	}

	msg := p.encodeBatch(msgs...)

	return p.sendAsync(ctx, msg, f)
}

func (p *defaultProducer) sendAsync(ctx context.Context, msg *Message, h func(context.Context, *SendResult, error)) error {

	mq := p.selectMessageQueue(msg, "")
	if mq == nil {
		return fmt.Errorf("the topic=%s route info not found", msg.Topic)
	}

	addr := p.client.FindBrokerAddrByName(mq.BrokerName)
	if addr == "" {
		return fmt.Errorf("topic=%s route info not found", mq.Topic)
	}

	ctx, cancel := context.WithTimeout(ctx, p.options.SendMsgTimeout)
	err := p.client.InvokeAsync(ctx, addr, p.buildSendRequest(mq, msg), func(command *RemotingCommand, err error) {
		cancel()
		if err != nil {
			h(ctx, nil, err)
			return
		}

		resp := NewSendResult()
		err = p.client.ProcessSendResponse(mq.BrokerName, command, resp, msg)
		if err != nil {
			h(ctx, nil, err)
			return
		}

		h(ctx, resp, nil)
	})

	if err != nil {
		cancel()
	}

	return err
}
