// Recall case tl-machinery-amqp-errorschan
// Source: github.com/RichardKnop/machinery commit 73d8b451ba2789aed77c381d789df584643356aa (v1/brokers/amqp/amqp.go)
// Link: https://github.com/RichardKnop/machinery/commit/73d8b451ba2789aed77c381d789df584643356aa
// Bug: Broker.consume hands each delivery to a goroutine that reports failures with `errorsChan <- err` on an unbuffered channel; once consume has returned (amqpCloseChan, stop chan, an earlier error) or is itself blocked on `<-pool`, nobody receives and the worker goroutine blocks forever.
// Fix: errorsChan is created with capacity 1 (make(chan error, 1)) so a failing worker can deposit its error and exit.
// Rule: timeoutleak
package amqp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"sync"
)

// ---- minimal stand-ins for github.com/streadway/amqp and machinery's iface/tasks ----

// Acknowledger notifies the server of successful or failed consumption of deliveries.
type Acknowledger interface {
	Ack(tag uint64, multiple bool) error
	Nack(tag uint64, multiple bool, requeue bool) error
}

// Delivery captures the fields for a previously delivered message.
type Delivery struct {
	Acknowledger Acknowledger
	DeliveryTag  uint64
	Redelivered  bool
	Body         []byte
}

// Ack delegates an acknowledgement through the Acknowledger interface.
func (d Delivery) Ack(multiple bool) error {
	if d.Acknowledger == nil {
		return errors.New("delivery not initialized")
	}
	return d.Acknowledger.Ack(d.DeliveryTag, multiple)
}

// Nack negatively acknowledges the delivery.
func (d Delivery) Nack(multiple, requeue bool) error {
	if d.Acknowledger == nil {
		return errors.New("delivery not initialized")
	}
	return d.Acknowledger.Nack(d.DeliveryTag, multiple, requeue)
}

// Error captures the code and reason a channel or connection has been closed by the server.
type Error struct {
	Code   int
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("Exception (%d) Reason: %q", e.Code, e.Reason) }

// Signature represents a single task invocation.
type Signature struct {
	Name                        string
	IgnoreWhenTaskNotRegistered bool
}

// TaskProcessor - can process a delivered task
type TaskProcessor interface {
	Process(signature *Signature) error
}

// ---- v1/brokers/amqp/amqp.go (reduced) ----

// Broker represents an AMQP broker
type Broker struct {
	processingWG    sync.WaitGroup // use wait group to make sure task processing completes on interrupt signal
	stopChan        chan int
	registeredTasks map[string]bool
}

// GetStopChan returns the stop channel.
func (b *Broker) GetStopChan() chan int { return b.stopChan }

// IsTaskRegistered returns true if the task is registered with this broker.
func (b *Broker) IsTaskRegistered(name string) bool { return b.registeredTasks[name] }

// StartConsuming (reduced) runs consume on an already opened delivery channel.
func (b *Broker) StartConsuming(deliveries <-chan Delivery, concurrency int, taskProcessor TaskProcessor, amqpCloseChan <-chan *Error) (bool, error) {
	if err := b.consume(deliveries, concurrency, taskProcessor, amqpCloseChan); err != nil {
		return true, err
	}

	// Waiting for any tasks being processed to finish
	b.processingWG.Wait()

	return false, nil
}

// consume takes delivered messages from the channel and manages a worker pool
// to process tasks concurrently
func (b *Broker) consume(deliveries <-chan Delivery, concurrency int, taskProcessor TaskProcessor, amqpCloseChan <-chan *Error) error {
	pool := make(chan struct{}, concurrency)

	// initialize worker pool with maxWorkers workers
	go func() {
		for i := 0; i < concurrency; i++ {
			pool <- struct{}{}
		}
	}()

	// make channel with a capacity makes it become a buffered channel so that a worker which wants to
	// push an error to `errorsChan` doesn't need to be blocked while the for-loop is blocked waiting
	// a worker, that is, it avoids a possible deadlock
	errorsChan := make(chan error, 1)

	for {
		select {
		case amqpErr := <-amqpCloseChan:
			return amqpErr
		case err := <-errorsChan:
			return err
		case d := <-deliveries:
			if concurrency > 0 {
				// get worker from pool (blocks until one is available)
				<-pool
			}

			b.processingWG.Add(1)

			// Consume the task inside a gotourine so multiple tasks
			// can be processed concurrently
			go func() {
				if err := b.consumeOne(d, taskProcessor); err != nil {
					errorsChan <- err
				}

				b.processingWG.Done()

				if concurrency > 0 {
					// give worker back to pool
					pool <- struct{}{}
				}
			}()
		case <-b.GetStopChan():
			return nil
		}
	}
}

// consumeOne processes a single message using TaskProcessor
func (b *Broker) consumeOne(delivery Delivery, taskProcessor TaskProcessor) error {
	if len(delivery.Body) == 0 {
		delivery.Nack(true, false)                     // multiple, requeue
		return errors.New("Received an empty message") // RabbitMQ down?
	}

	var multiple, requeue = false, false

	// Unmarshal message body into signature struct
	signature := new(Signature)
	decoder := json.NewDecoder(bytes.NewReader(delivery.Body))
	decoder.UseNumber()
	if err := decoder.Decode(signature); err != nil {
		delivery.Nack(multiple, requeue)
		return fmt.Errorf("could not unmarshal %q into a task signature: %w", delivery.Body, err)
	}

	// If the task is not registered, we nack it and requeue,
	// there might be different workers for processing specific tasks
	if !b.IsTaskRegistered(signature.Name) {
		if !delivery.Redelivered {
			requeue = true
			log.Printf("Task not registered with this worker. Requeing message: %s", delivery.Body)
		}
		if !signature.IgnoreWhenTaskNotRegistered {
			delivery.Nack(multiple, requeue)
		}
		return nil
	}

	log.Printf("Received new message: %s", delivery.Body)

	err := taskProcessor.Process(signature)
	delivery.Ack(multiple)
	return err
}
