// Recall case sc-momento-subscriptionitem
// Source: github.com/momentohq/client-sdk-go commit f62abd00849b686cca41a1850242be5e41c11c1b (momento/topic_subscription.go)
// Link: https://github.com/momentohq/client-sdk-go/commit/f62abd00849b686cca41a1850242be5e41c11c1b
// Bug: topicSubscription.Item treats every RecvMsg error, including the one caused by the caller cancelling ctx, as a stream disconnect: it logs it, reconnects and loops again, so a cancelled Item call never returns ctx.Err().
// Fix: Item checks ctx.Done() at the top of the loop and before reconnecting and returns ctx.Err() instead of retrying.
// Rule: swallowcancel
package momento

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net"
	"strings"
	"time"
)

// TopicValue is the stand-in for momento.TopicValue.
type TopicValue interface{ isTopicValue() }

type String string

func (String) isTopicValue() {}

type connState int

const (
	stateIdle connState = iota
	stateReady
	stateTransientFailure
)

// clientConn is the stand-in for *grpc.ClientConn.
type clientConn struct {
	state connState
}

func (c *clientConn) GetState() connState { return c.state }

// TopicGrpcManager is the stand-in for grpcmanagers.TopicGrpcManager.
type TopicGrpcManager struct {
	Conn *clientConn
}

// clientStream is the stand-in for a grpc.ClientStream opened with a
// context: RecvMsg fails with the context error once that context is done.
type clientStream struct {
	ctx  context.Context
	conn net.Conn
	rd   *bufio.Reader
}

func (s *clientStream) RecvMsg(m *subscriptionItem) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	stop := context.AfterFunc(s.ctx, func() { s.conn.SetReadDeadline(time.Now()) })
	defer stop()
	line, err := s.rd.ReadString('\n')
	if err != nil {
		if ctxErr := s.ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return err
	}
	kind, value, _ := strings.Cut(strings.TrimSpace(line), " ")
	m.kind, m.text = kind, value
	return nil
}

// subscriptionItem is the stand-in for pb.XSubscriptionItem.
type subscriptionItem struct {
	kind string // "item", "heartbeat", "discontinuity"
	seq  uint64
	text string
}

type TopicSubscribeRequest struct {
	CacheName                   string
	TopicName                   string
	ResumeAtTopicSequenceNumber uint64
}

type pubSubClient struct {
	endpoint string
	dialer   net.Dialer
}

func (client *pubSubClient) topicSubscribe(ctx context.Context, request *TopicSubscribeRequest) (*TopicGrpcManager, *clientStream, error) {
	conn, err := client.dialer.DialContext(ctx, "tcp", client.endpoint)
	if err != nil {
		return nil, nil, err
	}
	if _, err := fmt.Fprintf(conn, "SUBSCRIBE %s %s %d\n", request.CacheName, request.TopicName, request.ResumeAtTopicSequenceNumber); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return &TopicGrpcManager{Conn: &clientConn{state: stateReady}},
		&clientStream{ctx: ctx, conn: conn, rd: bufio.NewReader(conn)}, nil
}

type TopicSubscription interface {
	Item(ctx context.Context) (TopicValue, error)
}

type topicSubscription struct {
	topicManager            *TopicGrpcManager
	grpcClient              *clientStream
	momentoTopicClient      *pubSubClient
	cacheName               string
	topicName               string
	log                     *log.Logger
	lastKnownSequenceNumber uint64
}

func (s *topicSubscription) Item(ctx context.Context) (TopicValue, error) {
	for {

		// Its totally possible a client just calls `cancel` on the `context` immediately after subscribing to an
		// item, so we should check that here.
		select {
		case <-ctx.Done():
			// Context has been canceled, return an error
			return nil, ctx.Err()
		default:
			// Proceed as is
		}

		rawMsg := new(subscriptionItem)
		if err := s.grpcClient.RecvMsg(rawMsg); err != nil {
			s.log.Println("stream disconnected, attempting to reconnect err:", fmt.Sprint(err))

			// Check if the context has been canceled before attempting to reconnect as the client
			// might have given up on the context
			select {
			case <-ctx.Done():
				// Context has been canceled, return an error
				return nil, ctx.Err()
			default:
				// Attempt to reconnect
				s.attemptReconnect(ctx)
			}

			// retry getting the latest item
			continue
		}

		switch rawMsg.kind {
		case "discontinuity":
			s.log.Println("recieved discontinuity item")
			continue
		case "item":
			s.lastKnownSequenceNumber = rawMsg.seq
			return String(rawMsg.text), nil
		case "heartbeat":
			s.log.Println("recieved heartbeat item")
			continue
		default:
			s.log.Println("Unrecognized response detected.", rawMsg.kind)
			continue
		}
	}
}

func (s *topicSubscription) attemptReconnect(ctx context.Context) {
	// make sure the connection isn't ready, if its ready no need to reconnect
	if s.topicManager.Conn.GetState() == stateReady {
		s.log.Println("connection is in ready state, not reconnecting")
		return
	}
	// try and reconnect every n seconds. This will attempt to reconnect indefinetly
	seconds := 5 * time.Second
	for {
		s.log.Println("Attempting reconnecting to client stream")
		time.Sleep(seconds)
		newTopicManager, newStream, err := s.momentoTopicClient.topicSubscribe(ctx, &TopicSubscribeRequest{
			CacheName:                   s.cacheName,
			TopicName:                   s.topicName,
			ResumeAtTopicSequenceNumber: s.lastKnownSequenceNumber,
		})

		if err != nil {
			s.log.Printf("failed to reconnect to stream, will continue to try in %s seconds", fmt.Sprint(seconds))
		} else {
			s.log.Println("successfully reconnected to subscription stream")
			s.topicManager = newTopicManager
			s.grpcClient = newStream
			return
		}
	}
}
