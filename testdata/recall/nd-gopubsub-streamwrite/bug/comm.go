// Recall case nd-gopubsub-streamwrite
// Source: github.com/libp2p/go-libp2p-pubsub commit 6587e8e72b35957a53d61dcf91f05b1b9a78bfdf (comm.go)
// Link: https://github.com/libp2p/go-libp2p-pubsub/commit/6587e8e72b35957a53d61dcf91f05b1b9a78bfdf
// Bug: handleSendingMessages writes each RPC to the peer stream with s.Write and no write deadline, so a peer that stops reading blocks the sending goroutine forever (ctx cancellation is never observed while Write is stuck).
// Fix: call s.SetWriteDeadline(time.Now().Add(30 * time.Second)) before every s.Write.
// Rule: nodeadline
package pubsub

import (
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
)

// RPC is an outgoing pubsub message batch.
type RPC struct {
	payload []byte
}

func (r *RPC) Size() int { return len(r.payload) }

func (r *RPC) MarshalTo(b []byte) (int, error) { return copy(b, r.payload), nil }

// Stream is the outgoing peer stream (network.Stream stand-in backed by a TCP conn).
type Stream struct {
	net.Conn
}

// Reset aborts the stream.
func (s *Stream) Reset() error { return s.Conn.Close() }

// rpcQueue is the per-peer outgoing queue.
type rpcQueue struct {
	ch chan *RPC
}

var errQueueClosed = errors.New("rpc queue closed")

func (q *rpcQueue) Pop(ctx context.Context) (*RPC, error) {
	select {
	case rpc, ok := <-q.ch:
		if !ok {
			return nil, errQueueClosed
		}
		return rpc, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type peerOutgoingStream struct {
	Stream       *Stream
	FirstMessage chan *RPC
	Cancel       context.CancelFunc
}

// PubSub is the pubsub router core.
type PubSub struct {
	dialer        net.Dialer
	newPeerStream chan peerOutgoingStream
	newPeerError  chan string
	logger        *slog.Logger
	rpcLogger     *slog.Logger
}

func (p *PubSub) handleNewPeer(ctx context.Context, pid string, outgoing *rpcQueue) {
	conn, err := p.dialer.DialContext(ctx, "tcp", pid)
	if err != nil {
		p.logger.Debug("error opening new stream to peer", "err", err, "peer", pid)

		select {
		case p.newPeerError <- pid:
		case <-ctx.Done():
		}

		return
	}
	s := &Stream{Conn: conn}

	firstMessage := make(chan *RPC, 1)
	sCtx, cancel := context.WithCancel(ctx)
	go p.handleSendingMessages(sCtx, s, outgoing, firstMessage)
	select {
	case p.newPeerStream <- peerOutgoingStream{Stream: s, FirstMessage: firstMessage, Cancel: cancel}:
	case <-ctx.Done():
		cancel()
	}
}

func (p *PubSub) handleSendingMessages(ctx context.Context, s *Stream, outgoing *rpcQueue, firstMessage chan *RPC) {
	writeRpc := func(rpc *RPC) error {
		size := uint64(rpc.Size())

		buf := make([]byte, binary.MaxVarintLen64+int(size))

		n := binary.PutUvarint(buf, size)
		m, err := rpc.MarshalTo(buf[n:])
		if err != nil {
			return err
		}
		buf = buf[:n+m]

		_, err = s.Write(buf)
		if err != nil {
			p.rpcLogger.Debug("failed to send message", "peer", s.RemoteAddr(), "err", err)
			return err
		}
		p.rpcLogger.Debug("sent", "peer", s.RemoteAddr())
		return nil
	}

	select {
	case rpc := <-firstMessage:
		if rpc.Size() > 0 {
			err := writeRpc(rpc)
			if err != nil {
				s.Reset()
				p.logger.Debug("error writing message to peer", "peer", s.RemoteAddr(), "err", err)
				return
			}
		}
	case <-ctx.Done():
		s.Reset()
		return
	}

	defer s.Close()
	for ctx.Err() == nil {
		rpc, err := outgoing.Pop(ctx)
		if err != nil {
			p.logger.Debug("error popping message from the queue to send to peer", "peer", s.RemoteAddr(), "err", err)
			return
		}

		err = writeRpc(rpc)
		if err != nil {
			s.Reset()
			p.logger.Debug("error writing message to peer", "peer", s.RemoteAddr(), "err", err)
			return
		}
	}
}
