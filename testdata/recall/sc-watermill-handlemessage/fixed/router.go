// Recall case sc-watermill-handlemessage
// Source: github.com/ThreeDotsLabs/watermill commit 633132cd469009cff17a1efdbd8d0fbb10940e95 (message/router.go)
// Link: https://github.com/ThreeDotsLabs/watermill/commit/633132cd469009cff17a1efdbd8d0fbb10940e95
// Bug: handler.handleMessage treats a handler error that is context.Canceled as success: it skips the Nack, publishes the produced messages and Acks the message, so a cancelled handler's message is lost.
// Fix: any handler error Nacks the message and returns; context.Canceled only suppresses the error log line.
// Rule: swallowcancel
package message

import (
	"context"
	"errors"
	"fmt"
	"log"
	"runtime/debug"
	"sync"
)

var ErrOutputInNoPublisherHandler = errors.New("cannot return messages from handler without publisher")

// Message is the reduced watermill message: Ack/Nack close one of two channels
// that the subscriber waits on.
type Message struct {
	UUID string

	ack      chan struct{}
	noAck    chan struct{}
	ackMutex sync.Mutex
	ackSent  bool

	ctx context.Context
}

// NewMessage creates a new Message with the given ctx.
func NewMessage(ctx context.Context, uuid string) *Message {
	return &Message{
		UUID:  uuid,
		ack:   make(chan struct{}),
		noAck: make(chan struct{}),
		ctx:   ctx,
	}
}

// Context returns the message's context.
func (m *Message) Context() context.Context {
	return m.ctx
}

// Ack sends message's acknowledgement.
func (m *Message) Ack() bool {
	m.ackMutex.Lock()
	defer m.ackMutex.Unlock()
	if m.ackSent {
		return false
	}
	m.ackSent = true
	close(m.ack)
	return true
}

// Nack sends message's negative acknowledgement.
func (m *Message) Nack() bool {
	m.ackMutex.Lock()
	defer m.ackMutex.Unlock()
	if m.ackSent {
		return false
	}
	m.ackSent = true
	close(m.noAck)
	return true
}

type Messages []*Message

// HandlerFunc is function called when message is received.
type HandlerFunc func(msg *Message) ([]*Message, error)

// Publisher is the watermill publisher interface.
type Publisher interface {
	Publish(topic string, messages ...*Message) error
	Close() error
}

type handler struct {
	name         string
	publishTopic string
	publisher    Publisher
	handlerFunc  HandlerFunc

	messagesCh <-chan *Message

	runningHandlersWg     *sync.WaitGroup
	runningHandlersWgLock *sync.Mutex
}

func (h *handler) run() {
	log.Printf("Starting handler %s", h.name)

	for msg := range h.messagesCh {
		h.runningHandlersWgLock.Lock()
		h.runningHandlersWg.Add(1)
		h.runningHandlersWgLock.Unlock()

		go h.handleMessage(msg, h.handlerFunc)
	}

	if h.publisher != nil {
		if err := h.publisher.Close(); err != nil {
			log.Printf("Failed to close publisher: %v", err)
		}
	}
}

func (h *handler) handleMessage(msg *Message, handler HandlerFunc) {
	defer h.runningHandlersWg.Done()

	defer func() {
		if recovered := recover(); recovered != nil {
			log.Printf("Panic recovered in handler (message_uuid=%s): %v. Stack: %s", msg.UUID, recovered, debug.Stack())
			msg.Nack()
		}
	}()

	producedMessages, err := handler(msg)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			log.Printf("Handler returned error (message_uuid=%s): %v", msg.UUID, err)
		}
		msg.Nack()
		return
	}

	if err := h.publishProducedMessages(producedMessages); err != nil {
		log.Printf("Publishing produced messages failed: %v", err)
		msg.Nack()
		return
	}

	msg.Ack()
}

func (h *handler) publishProducedMessages(producedMessages Messages) error {
	if len(producedMessages) == 0 {
		return nil
	}

	if h.publisher == nil {
		return ErrOutputInNoPublisherHandler
	}

	if err := h.publisher.Publish(h.publishTopic, producedMessages...); err != nil {
		log.Printf("Cannot publish messages: %v (not_sent_message=%s)", err, fmt.Sprintf("%#v", producedMessages))
		return err
	}

	return nil
}
