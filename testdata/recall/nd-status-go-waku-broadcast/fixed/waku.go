// Recall case nd-status-go-waku-broadcast
// Source: github.com/status-im/status-go commit 9b1d2a2dfa043e1c12edfabacf8238dd462ce5d1 (wakuv2/waku.go)
// Link: https://github.com/status-im/status-go/commit/9b1d2a2dfa043e1c12edfabacf8238dd462ce5d1
// Bug: broadcast() publishes every queued envelope to remote peers (lightpush request / relay publish) with context.Background(), so a peer that never answers blocks the broadcast loop forever and Stop() cannot interrupt it.
// Fix: the node context is created in New and broadcast() passes w.ctx to Lightpush().Publish / Relay().Publish.
// Rule: nodeadline
package wakuv2

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
)

// --- local stand-ins for the go-waku node protocols ---

type Message struct {
	ContentTopic string
	Payload      []byte
}

type Envelope struct {
	pubsubTopic string
	msg         *Message
}

func (e *Envelope) PubsubTopic() string { return e.pubsubTopic }
func (e *Envelope) Message() *Message   { return e.msg }

// LightPush sends the message to a service peer and waits for its ack.
type LightPush struct {
	httpClient *http.Client
	peerURL    string
}

func (l *LightPush) Publish(ctx context.Context, msg *Message, pubsubTopic string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.peerURL+"/lightpush?topic="+pubsubTopic, bytes.NewReader(msg.Payload))
	if err != nil {
		return nil, err
	}
	resp, err := l.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("lightpush: status %d", resp.StatusCode)
	}
	return msg.Payload, nil
}

// WakuRelay publishes to the gossip mesh through a peer connection.
type WakuRelay struct {
	dialer   net.Dialer
	peerAddr string
}

func (r *WakuRelay) Publish(ctx context.Context, msg *Message, pubsubTopic string) ([]byte, error) {
	conn, err := r.dialer.DialContext(ctx, "tcp", r.peerAddr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := conn.Write(append([]byte(pubsubTopic+"\n"), msg.Payload...)); err != nil {
		return nil, err
	}
	ack := make([]byte, 1)
	if _, err := conn.Read(ack); err != nil {
		return nil, err
	}
	return msg.Payload, nil
}

type WakuNode struct {
	lightpush *LightPush
	relay     *WakuRelay
}

func (n *WakuNode) Lightpush() *LightPush { return n.lightpush }
func (n *WakuNode) Relay() *WakuRelay     { return n.relay }

// --- status-go wakuv2 ---

type settings struct {
	LightClient bool
}

type Waku struct {
	node      *WakuNode
	settings  settings
	sendQueue chan *Envelope

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func New(node *WakuNode, lightClient bool) (*Waku, error) {
	if node == nil {
		return nil, errors.New("no node")
	}
	ctx, cancel := context.WithCancel(context.Background())

	waku := &Waku{
		node:      node,
		settings:  settings{LightClient: lightClient},
		sendQueue: make(chan *Envelope, 1000),
		ctx:       ctx,
		cancel:    cancel,
		wg:        sync.WaitGroup{},
	}
	return waku, nil
}

func (w *Waku) Start() error {
	go w.broadcast()
	return nil
}

func (w *Waku) Send(env *Envelope) {
	w.sendQueue <- env
}

func (w *Waku) broadcast() {
	for {
		select {
		case envelope := <-w.sendQueue:
			pubsubTopic := envelope.PubsubTopic()
			var err error
			if w.settings.LightClient {
				log.Println("publishing message via lightpush")
				_, err = w.node.Lightpush().Publish(w.ctx, envelope.Message(), pubsubTopic)
			} else {
				log.Println("publishing message via relay")
				_, err = w.node.Relay().Publish(w.ctx, envelope.Message(), pubsubTopic)
			}

			if err != nil {
				log.Printf("could not send message: %v", err)
				continue
			}

		case <-w.ctx.Done():
			return
		}
	}
}

func (w *Waku) Stop() error {
	w.cancel()
	w.wg.Wait()
	return nil
}
