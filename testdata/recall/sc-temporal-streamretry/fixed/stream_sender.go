// Recall case sc-temporal-streamretry
// Source: github.com/temporalio/temporal commit 20ba14babff384be363c011295568cd3bee5c516 (service/history/replication/stream_sender.go)
// Link: https://github.com/temporalio/temporal/commit/20ba14babff384be363c011295568cd3bee5c516
// Bug: WrapEventLoop retries the replication stream event loop through ThrottleRetry, and isRetryableError classifies context.Canceled (stream server context gone) as retryable, so a cancelled stream is re-run up to 100 times with backoff instead of stopping.
// Fix: WrapEventLoop takes the stream server's ctx, returns ctx.Err() before each attempt, and isRetryableError treats context.Canceled as non-retryable.
// Rule: swallowcancel
package replication

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net"
	"sync"
)

// serverStream is a stand-in for the gRPC server stream: it carries the
// stream's context and reads requests from the underlying connection.
type serverStream struct {
	ctx  context.Context
	conn net.Conn
	r    *bufio.Reader
}

func newServerStream(ctx context.Context, conn net.Conn) *serverStream {
	s := &serverStream{ctx: ctx, conn: conn, r: bufio.NewReader(conn)}
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	return s
}

func (s *serverStream) Context() context.Context { return s.ctx }

func (s *serverStream) Recv() (string, error) {
	line, err := s.r.ReadString('\n')
	if err != nil {
		if s.ctx.Err() != nil {
			return "", fmt.Errorf("stream recv: %w", s.ctx.Err())
		}
		return "", err
	}
	return line, nil
}

type StreamSenderImpl struct {
	server         *serverStream
	logger         *log.Logger
	clientShardKey ClusterShardKey
	serverShardKey ClusterShardKey

	stopOnce sync.Once
	acked    []string
}

func NewStreamSender(ctx context.Context, conn net.Conn, logger *log.Logger, client, server ClusterShardKey) *StreamSenderImpl {
	return &StreamSenderImpl{
		server:         newServerStream(ctx, conn),
		logger:         logger,
		clientShardKey: client,
		serverShardKey: server,
	}
}

func (s *StreamSenderImpl) Start() {
	go WrapEventLoop(s.server.Context(), s.recvEventLoop, s.Stop, s.logger, s.clientShardKey, s.serverShardKey, streamRetryPolicy)

	s.logger.Print("StreamSender started.")
}

func (s *StreamSenderImpl) Stop() {
	s.stopOnce.Do(func() {
		s.server.conn.Close()
		s.logger.Print("StreamSender stopped.")
	})
}

func (s *StreamSenderImpl) recvEventLoop() error {
	for {
		req, err := s.server.Recv()
		if err != nil {
			return err
		}
		s.acked = append(s.acked, req)
	}
}
