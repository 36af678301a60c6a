// Recall case sc-sarama-retrysession
// Source: github.com/IBM/sarama commit 05cb9fa28349a2092fb03a0f781455c9a383c9e3 (consumer_group.go)
// Link: https://github.com/IBM/sarama/commit/05cb9fa28349a2092fb03a0f781455c9a383c9e3
// Bug: newSession/retryNewSession keep retrying the coordinator lookup and JoinGroup with a backoff that only watches c.closed, never ctx, so a cancelled Consume ctx is ignored for all Rebalance.Retry.Max attempts and the caller finally gets the broker error instead of context.Canceled.
// Fix: retryNewSession also selects on ctx.Done() returning ctx.Err(), and newSession returns ctx.Err() up front when the ctx is already done.
// Rule: swallowcancel
package sarama

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

type KError int16

func (e KError) Error() string { return fmt.Sprintf("kafka server error %d", int16(e)) }

const (
	ErrNoError                         KError = 0
	ErrOffsetsLoadInProgress           KError = 14
	ErrConsumerCoordinatorNotAvailable KError = 15
	ErrNotCoordinatorForConsumer       KError = 16
	ErrIllegalGeneration               KError = 22
	ErrUnknownMemberId                 KError = 25
	ErrRebalanceInProgress             KError = 27
	ErrMemberIdRequired                KError = 79
)

var (
	ErrClosedConsumerGroup = errors.New("kafka: tried to use a consumer group that was closed")
	ErrClosedClient        = errors.New("kafka: tried to use a client that was closed")
)

type Config struct {
	Net struct {
		DialTimeout  time.Duration
		ReadTimeout  time.Duration
		WriteTimeout time.Duration
	}
	Consumer struct {
		Group struct {
			Rebalance struct {
				Retry struct {
					Max     int
					Backoff time.Duration
				}
			}
		}
	}
}

func NewConfig() *Config {
	c := &Config{}
	c.Net.DialTimeout = 30 * time.Second
	c.Net.ReadTimeout = 30 * time.Second
	c.Net.WriteTimeout = 30 * time.Second
	c.Consumer.Group.Rebalance.Retry.Max = 4
	c.Consumer.Group.Rebalance.Retry.Backoff = 2 * time.Second
	return c
}

// Broker is a connection to the group coordinator.
type Broker struct {
	conn net.Conn
	conf *Config
}

func (b *Broker) Close() error { return b.conn.Close() }

type JoinGroupResponse struct {
	Err      KError
	MemberId string
}

// JoinGroup sends a JoinGroup request and reads the response, both bounded by deadlines.
func (b *Broker) JoinGroup(groupID, memberID string, topics []string) (*JoinGroupResponse, error) {
	payload := fmt.Sprintf("JOIN %s %s %v\n", groupID, memberID, topics)
	if err := b.conn.SetWriteDeadline(time.Now().Add(b.conf.Net.WriteTimeout)); err != nil {
		return nil, err
	}
	if _, err := io.WriteString(b.conn, payload); err != nil {
		return nil, err
	}
	if err := b.conn.SetReadDeadline(time.Now().Add(b.conf.Net.ReadTimeout)); err != nil {
		return nil, err
	}
	hdr := make([]byte, 4)
	if _, err := io.ReadFull(b.conn, hdr); err != nil {
		return nil, err
	}
	idLen := binary.BigEndian.Uint16(hdr[2:])
	id := make([]byte, idLen)
	if _, err := io.ReadFull(b.conn, id); err != nil {
		return nil, err
	}
	return &JoinGroupResponse{Err: KError(binary.BigEndian.Uint16(hdr[:2])), MemberId: string(id)}, nil
}

// Client is the subset of sarama.Client used by the consumer group.
type Client interface {
	RefreshMetadata(topics ...string) error
	Coordinator(consumerGroup string) (*Broker, error)
	RefreshCoordinator(consumerGroup string) error
}

type client struct {
	conf  *Config
	mu    sync.Mutex
	addrs []string
	coord map[string]string
}

func (cl *client) RefreshMetadata(topics ...string) error { return nil }

func (cl *client) RefreshCoordinator(consumerGroup string) error {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	for _, addr := range cl.addrs {
		conn, err := net.DialTimeout("tcp", addr, cl.conf.Net.DialTimeout)
		if err != nil {
			continue
		}
		_ = conn.Close()
		cl.coord[consumerGroup] = addr
		return nil
	}
	return ErrConsumerCoordinatorNotAvailable
}

func (cl *client) Coordinator(consumerGroup string) (*Broker, error) {
	cl.mu.Lock()
	addr, ok := cl.coord[consumerGroup]
	cl.mu.Unlock()
	if !ok {
		return nil, ErrConsumerCoordinatorNotAvailable
	}
	conn, err := net.DialTimeout("tcp", addr, cl.conf.Net.DialTimeout)
	if err != nil {
		return nil, err
	}
	return &Broker{conn: conn, conf: cl.conf}, nil
}

type ConsumerGroupHandler interface {
	Setup(ConsumerGroupSession) error
	Cleanup(ConsumerGroupSession) error
}

type ConsumerGroupSession interface {
	MemberID() string
	Context() context.Context
}

type consumerGroupSession struct {
	parent   *consumerGroup
	memberID string
	handler  ConsumerGroupHandler
	ctx      context.Context
	cancel   func()
	coord    *Broker
}

func (s *consumerGroupSession) MemberID() string         { return s.memberID }
func (s *consumerGroupSession) Context() context.Context { return s.ctx }

func (s *consumerGroupSession) release(withCleanup bool) error {
	s.cancel()
	var err error
	if withCleanup {
		err = s.handler.Cleanup(s)
	}
	if e := s.coord.Close(); e != nil && err == nil {
		err = e
	}
	return err
}

type consumerGroup struct {
	client  Client
	config  *Config
	groupID string

	memberID string

	lock   sync.Mutex
	closed chan none
}

type none struct{}

// Consume implements ConsumerGroup.
func (c *consumerGroup) Consume(ctx context.Context, topics []string, handler ConsumerGroupHandler) error {
	// Ensure group is not closed
	select {
	case <-c.closed:
		return ErrClosedConsumerGroup
	default:
	}

	c.lock.Lock()
	defer c.lock.Unlock()

	// Quick exit when no topics are provided
	if len(topics) == 0 {
		return fmt.Errorf("no topics provided")
	}

	// Refresh metadata for requested topics
	if err := c.client.RefreshMetadata(topics...); err != nil {
		return err
	}

	// Init session
	sess, err := c.newSession(ctx, topics, handler, c.config.Consumer.Group.Rebalance.Retry.Max)
	if errors.Is(err, ErrClosedClient) {
		return ErrClosedConsumerGroup
	} else if err != nil {
		return err
	}

	// Wait for session exit signal
	<-sess.ctx.Done()

	// Gracefully release session claims
	return sess.release(true)
}

func (c *consumerGroup) retryNewSession(ctx context.Context, topics []string, handler ConsumerGroupHandler, retries int, refreshCoordinator bool) (*consumerGroupSession, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.closed:
		return nil, ErrClosedConsumerGroup
	case <-time.After(c.config.Consumer.Group.Rebalance.Retry.Backoff):
	}

	if refreshCoordinator {
		err := c.client.RefreshCoordinator(c.groupID)
		if err != nil {
			if retries <= 0 {
				return nil, err
			}
			return c.retryNewSession(ctx, topics, handler, retries-1, true)
		}
	}

	return c.newSession(ctx, topics, handler, retries-1)
}

func (c *consumerGroup) newSession(ctx context.Context, topics []string, handler ConsumerGroupHandler, retries int) (*consumerGroupSession, error) {
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	coordinator, err := c.client.Coordinator(c.groupID)
	if err != nil {
		if retries <= 0 {
			return nil, err
		}

		return c.retryNewSession(ctx, topics, handler, retries, true)
	}

	// Join consumer group
	join, err := c.joinGroupRequest(coordinator, topics)
	if err != nil {
		_ = coordinator.Close()
		return nil, err
	}
	switch join.Err {
	case ErrNoError:
		c.memberID = join.MemberId
	case ErrUnknownMemberId, ErrIllegalGeneration:
		// reset member ID and retry immediately
		_ = coordinator.Close()
		c.memberID = ""
		return c.newSession(ctx, topics, handler, retries)
	case ErrNotCoordinatorForConsumer, ErrRebalanceInProgress, ErrOffsetsLoadInProgress:
		// retry after backoff
		_ = coordinator.Close()
		if retries <= 0 {
			return nil, join.Err
		}
		return c.retryNewSession(ctx, topics, handler, retries, true)
	case ErrMemberIdRequired:
		// from JoinGroupRequest v4 onwards (due to KIP-394) the client needs to
		// send another join request with the assigned member id
		_ = coordinator.Close()
		c.memberID = join.MemberId
		return c.retryNewSession(ctx, topics, handler, retries+1 /*keep retry time*/, false)
	default:
		_ = coordinator.Close()
		return nil, join.Err
	}

	return newConsumerGroupSession(ctx, c, c.memberID, handler, coordinator)
}

func (c *consumerGroup) joinGroupRequest(coordinator *Broker, topics []string) (*JoinGroupResponse, error) {
	return coordinator.JoinGroup(c.groupID, c.memberID, topics)
}

func newConsumerGroupSession(ctx context.Context, parent *consumerGroup, memberID string, handler ConsumerGroupHandler, coord *Broker) (*consumerGroupSession, error) {
	// init context
	ctx, cancel := context.WithCancel(ctx)

	sess := &consumerGroupSession{
		parent:   parent,
		memberID: memberID,
		handler:  handler,
		ctx:      ctx,
		cancel:   cancel,
		coord:    coord,
	}

	// start consuming
	if err := handler.Setup(sess); err != nil {
		_ = sess.release(true)
		return nil, err
	}
	return sess, nil
}

// NewConsumerGroup creates a new consumer group for the given broker addresses.
func NewConsumerGroup(addrs []string, groupID string, config *Config) *consumerGroup {
	if config == nil {
		config = NewConfig()
	}
	return &consumerGroup{
		client:  &client{conf: config, addrs: addrs, coord: map[string]string{}},
		config:  config,
		groupID: groupID,
		closed:  make(chan none),
	}
}
