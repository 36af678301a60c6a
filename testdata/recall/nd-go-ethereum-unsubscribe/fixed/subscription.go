// Recall case nd-go-ethereum-unsubscribe
// Source: github.com/ethereum/go-ethereum commit 15fb0dcc6732f3b04f8d3b13e309afd723364ba5 (rpc/subscription.go, rpc/client.go)
// Link: https://github.com/ethereum/go-ethereum/commit/15fb0dcc6732f3b04f8d3b13e309afd723364ba5
// Bug: ClientSubscription.Unsubscribe waits for run(), whose requestUnsubscribe uses Client.Call, i.e. CallContext(context.Background(), ...): the *_unsubscribe RPC has no deadline and Unsubscribe blocks forever if the server never answers
// Fix: requestUnsubscribe uses context.WithTimeout(context.Background(), unsubscribeTimeout) and CallContext
// Rule: nodeadline
package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
)

// ClientSubscription is a subscription established through the Client's Subscribe or
// EthSubscribe methods.
type ClientSubscription struct {
	client    *Client
	channel   chan<- json.RawMessage
	namespace string
	subid     string

	// The in channel receives notification values from client dispatcher.
	in chan json.RawMessage

	// The error channel receives the error from the forwarding loop.
	// It is closed by Unsubscribe.
	err     chan error
	errOnce sync.Once

	// Closing of the subscription is requested by sending on 'quit'. This is handled by
	// the forwarding loop, which closes 'forwardDone' when it has stopped sending to
	// sub.channel. Finally, 'unsubDone' is closed after unsubscribing on the server side.
	quit        chan error
	forwardDone chan struct{}
	unsubDone   chan struct{}
}

// This is the sentinel value sent on sub.quit when Unsubscribe is called.
var errUnsubscribed = errors.New("unsubscribed")

func newClientSubscription(c *Client, namespace string, channel chan<- json.RawMessage) *ClientSubscription {
	sub := &ClientSubscription{
		client:      c,
		namespace:   namespace,
		channel:     channel,
		in:          make(chan json.RawMessage),
		quit:        make(chan error),
		forwardDone: make(chan struct{}),
		unsubDone:   make(chan struct{}),
		err:         make(chan error, 1),
	}
	return sub
}

// startSubscription mirrors handler.handleResponses: once the server returned the
// subscription ID, the forwarding loop is started.
func (c *Client) startSubscription(namespace, subid string, channel chan<- json.RawMessage) *ClientSubscription {
	sub := newClientSubscription(c, namespace, channel)
	sub.subid = subid
	go sub.run()
	return sub
}

// Err returns the subscription error channel.
func (sub *ClientSubscription) Err() <-chan error {
	return sub.err
}

// Unsubscribe unsubscribes the notification and closes the error channel.
// It can safely be called more than once.
func (sub *ClientSubscription) Unsubscribe() {
	sub.errOnce.Do(func() {
		select {
		case sub.quit <- errUnsubscribed:
			<-sub.unsubDone
		case <-sub.unsubDone:
		}
		close(sub.err)
	})
}

// deliver is called by the client's message dispatcher to send a notification value.
func (sub *ClientSubscription) deliver(result json.RawMessage) (ok bool) {
	select {
	case sub.in <- result:
		return true
	case <-sub.forwardDone:
		return false
	}
}

// run is the forwarding loop of the subscription. It runs in its own goroutine and
// is launched by the client's handler after the subscription has been created.
func (sub *ClientSubscription) run() {
	defer close(sub.unsubDone)

	unsubscribe, err := sub.forward()

	// The client's dispatch loop won't be able to execute the unsubscribe call if it is
	// blocked in sub.deliver() or sub.close(). Closing forwardDone unblocks them.
	close(sub.forwardDone)

	// Call the unsubscribe method on the server.
	if unsubscribe {
		sub.requestUnsubscribe()
	}

	// Send the error.
	if err != nil {
		if err == ErrClientQuit {
			err = nil
		}
		sub.err <- err
	}
}

// forward is the forwarding loop. It takes in RPC notifications and sends them
// on the subscription channel (reduced: no overflow buffer).
func (sub *ClientSubscription) forward() (unsubscribeServer bool, err error) {
	for {
		select {
		case err = <-sub.quit:
			if err == errUnsubscribed {
				// Exiting because Unsubscribe was called, unsubscribe on server.
				return true, nil
			}
			return false, err
		case val := <-sub.in:
			select {
			case sub.channel <- val:
			case err = <-sub.quit:
				if err == errUnsubscribed {
					return true, nil
				}
				return false, err
			}
		}
	}
}

func (sub *ClientSubscription) requestUnsubscribe() error {
	var result interface{}
	ctx, cancel := context.WithTimeout(context.Background(), unsubscribeTimeout)
	defer cancel()
	err := sub.client.CallContext(ctx, &result, sub.namespace+unsubscribeMethodSuffix, sub.subid)
	return err
}
