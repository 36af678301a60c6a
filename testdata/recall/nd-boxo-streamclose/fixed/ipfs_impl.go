// Recall case nd-boxo-streamclose
// Source: github.com/ipfs/boxo commit 12e077c1a253d7b3b9205bc29eb62b4371f1690f (bitswap/network/bsnet/ipfs_impl.go)
// Link: https://github.com/ipfs/boxo/commit/12e077c1a253d7b3b9205bc29eb62b4371f1690f
// Bug: SendMessage only bounds the write (SetWriteDeadline) and then calls s.Close(), which on a lazily negotiated stream reads the remote's protocol handshake with no read deadline, so an unresponsive peer blocks SendMessage indefinitely.
// Fix: set a read deadline (now + send timeout) on the stream before calling s.Close().
// Rule: nodeadline
package bsnet

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net"
	"time"
)

const (
	minSendRate    = (100 * 1000) / 8 // 100kbit/s
	sendLatency    = 2 * time.Second
	minSendTimeout = 10 * time.Second
	maxSendTimeout = 2 * time.Minute
)

// Stream is the local stand-in for libp2p network.Stream.
type Stream interface {
	Write(p []byte) (int, error)
	Close() error
	Reset() error
	SetWriteDeadline(t time.Time) error
	SetReadDeadline(t time.Time) error
	Protocol() string
}

// lazyStream is the stand-in for a multistream-select "lazy" stream: the
// protocol proposal is sent optimistically with the first write, and Close()
// must read the remote handshake answer before the stream can be closed.
type lazyStream struct {
	conn     net.Conn
	rd       *bufio.Reader
	protocol string
}

func (s *lazyStream) Write(p []byte) (int, error) {
	return s.conn.Write(append([]byte(s.protocol+"\n"), p...))
}

func (s *lazyStream) Close() error {
	// complete the handshake: wait for the remote to confirm the protocol
	if _, err := s.rd.ReadString('\n'); err != nil {
		s.conn.Close()
		return err
	}
	return s.conn.Close()
}

func (s *lazyStream) Reset() error                       { return s.conn.Close() }
func (s *lazyStream) SetWriteDeadline(t time.Time) error { return s.conn.SetWriteDeadline(t) }
func (s *lazyStream) SetReadDeadline(t time.Time) error  { return s.conn.SetReadDeadline(t) }
func (s *lazyStream) Protocol() string                   { return s.protocol }

// BitSwapMessage is a minimal stand-in for bsmsg.BitSwapMessage.
type BitSwapMessage interface {
	Size() int
	ToNetV1(w interface{ Write([]byte) (int, error) }) error
}

type impl struct {
	dialer                net.Dialer
	protocolBitswap       string
	protocolBitswapOneOne string
	messagesSent          uint64
}

func (bsnet *impl) msgToStream(ctx context.Context, s Stream, msg BitSwapMessage, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}

	if err := s.SetWriteDeadline(deadline); err != nil {
		log.Printf("error setting deadline: %s", err)
	}

	switch s.Protocol() {
	case bsnet.protocolBitswapOneOne, bsnet.protocolBitswap:
		if err := msg.ToNetV1(s); err != nil {
			log.Printf("error: %s", err)
			return err
		}
	default:
		return fmt.Errorf("unrecognized protocol on remote: %s", s.Protocol())
	}

	bsnet.messagesSent++

	if err := s.SetWriteDeadline(time.Time{}); err != nil {
		log.Printf("error resetting deadline: %s", err)
	}
	return nil
}

func sendTimeout(size int) time.Duration {
	timeout := sendLatency
	timeout += time.Duration((uint64(time.Second) * uint64(size)) / uint64(minSendRate))
	if timeout > maxSendTimeout {
		timeout = maxSendTimeout
	} else if timeout < minSendTimeout {
		timeout = minSendTimeout
	}
	return timeout
}

func (bsnet *impl) SendMessage(
	ctx context.Context,
	p string,
	outgoing BitSwapMessage,
) error {
	s, err := bsnet.newStreamToPeer(ctx, p)
	if err != nil {
		return err
	}

	timeout := sendTimeout(outgoing.Size())
	if err = bsnet.msgToStream(ctx, s, outgoing, timeout); err != nil {
		_ = s.Reset()
		return err
	}

	// Set a read deadline to prevent Close() from blocking indefinitely
	// when the remote peer is slow or unresponsive during multistream
	// handshake completion.
	if err := s.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		log.Printf("error setting read deadline: %s", err)
	}
	return s.Close()
}

func (bsnet *impl) newStreamToPeer(ctx context.Context, p string) (Stream, error) {
	conn, err := bsnet.dialer.DialContext(ctx, "tcp", p)
	if err != nil {
		return nil, err
	}
	return &lazyStream{conn: conn, rd: bufio.NewReader(conn), protocol: bsnet.protocolBitswap}, nil
}
