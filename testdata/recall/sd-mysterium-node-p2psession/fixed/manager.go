// Recall case sd-mysterium-node-p2psession
// Source: github.com/mysteriumnetwork/node commit 39c4f5e9dc74c2b6d1856bbb151f385c3d0cca08 (core/connection/manager.go)
// Link: https://github.com/mysteriumnetwork/node/commit/39c4f5e9dc74c2b6d1856bbb151f385c3d0cca08
// Bug: Connect creates the cancellable manager.ctx (cancelled by Cancel/Disconnect), but createP2PChannel and createP2PSession each start a fresh budget with context.WithTimeout(context.Background(), 10s/20s), so cancelling the connection does not abort the p2p dial or the session-create request.
// Fix: manager.ctx is threaded into createP2PChannel/createP2PSession, which derive their timeouts with context.WithTimeout(ctx, ...).
// Rule: sharedeadline
package connection

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"sync"
	"time"
)

// TopicSessionCreate is the p2p topic for session creation.
const TopicSessionCreate = "p2p-session-create"

// ChannelSender sends messages over a p2p channel.
type ChannelSender interface {
	Send(ctx context.Context, topic string, msg any) (json.RawMessage, error)
}

// Channel is a p2p channel.
type Channel interface {
	ChannelSender
	Close() error
}

// Dialer knows how to dial a p2p channel to a provider.
type Dialer interface {
	Dial(ctx context.Context, consumerID, serviceType, providerID string) (Channel, error)
}

// tcpChannel is a p2p channel over a TCP connection.
type tcpChannel struct {
	conn net.Conn
	mu   sync.Mutex
}

func (c *tcpChannel) Send(ctx context.Context, topic string, msg any) (json.RawMessage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Now()) })
	defer stop()
	if err := json.NewEncoder(c.conn).Encode(map[string]any{"topic": topic, "msg": msg}); err != nil {
		return nil, err
	}
	var res json.RawMessage
	if err := json.NewDecoder(c.conn).Decode(&res); err != nil {
		return nil, err
	}
	return res, nil
}

func (c *tcpChannel) Close() error { return c.conn.Close() }

// dialer implements Dialer over TCP.
type dialer struct {
	brokerAddr string
}

// NewDialer creates a p2p dialer.
func NewDialer(brokerAddr string) Dialer { return &dialer{brokerAddr: brokerAddr} }

func (m *dialer) Dial(ctx context.Context, consumerID, serviceType, providerID string) (Channel, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.brokerAddr)
	if err != nil {
		return nil, fmt.Errorf("could not dial provider %s: %w", providerID, err)
	}
	return &tcpChannel{conn: conn}, nil
}

// SessionRequest is a reduced pb.SessionRequest.
type SessionRequest struct {
	ConsumerID   string `json:"consumer_id"`
	AccountantID string `json:"accountant_id"`
	ProposalID   int64  `json:"proposal_id"`
}

// SessionResponse is a reduced pb.SessionResponse.
type SessionResponse struct {
	ID string `json:"id"`
}

// ErrAlreadyExists is returned when a connection already exists.
var ErrAlreadyExists = errors.New("connection already exists")

// ErrConnectionFailed is returned when the connection could not be established.
var ErrConnectionFailed = errors.New("connection has failed")

// State is a connection state.
type State string

// Connected is the connected state.
const Connected State = "Connected"

type connectionManager struct {
	p2pDialer              Dialer
	ctx                    context.Context
	cancel                 func()
	connected              bool
	stateChannel           chan State
	cleanupAfterDisconnect []func() error
	discoLock              sync.Mutex
}

// NewManager creates a connection manager.
func NewManager(p2pDialer Dialer) *connectionManager {
	return &connectionManager{p2pDialer: p2pDialer, stateChannel: make(chan State, 1)}
}

// Connect establishes a session with the provider.
func (manager *connectionManager) Connect(consumerID, accountantID, providerID, serviceType string, proposalID int64) (err error) {
	if manager.connected {
		return ErrAlreadyExists
	}

	manager.ctx, manager.cancel = context.WithTimeout(context.Background(), 60*time.Second)

	channel := manager.createP2PChannel(manager.ctx, consumerID, providerID, serviceType)
	if channel == nil {
		return errors.New("could not create p2p channel")
	}

	sessionID, err := manager.createP2PSession(manager.ctx, channel, consumerID, accountantID, proposalID)
	if err != nil {
		return err
	}
	log.Printf("session %s created", sessionID)

	if err := manager.waitForConnectedState(manager.stateChannel); err != nil {
		return err
	}
	manager.connected = true
	return nil
}

func (manager *connectionManager) waitForConnectedState(stateChannel <-chan State) error {
	for {
		select {
		case state, more := <-stateChannel:
			if !more {
				return ErrConnectionFailed
			}
			if state == Connected {
				return nil
			}
		case <-manager.ctx.Done():
			return manager.ctx.Err()
		}
	}
}

func (manager *connectionManager) createP2PChannel(ctx context.Context, consumerID, providerID, serviceType string) Channel {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	channel, err := manager.p2pDialer.Dial(ctx, consumerID, serviceType, providerID)
	if err != nil {
		log.Printf("Failed to establish p2p channel: %v", err)
		return nil
	}
	manager.cleanupAfterDisconnect = append(manager.cleanupAfterDisconnect, func() error {
		return channel.Close()
	})
	return channel
}

func (manager *connectionManager) createP2PSession(ctx context.Context, p2pChannel ChannelSender, consumerID, accountantID string, proposalID int64) (string, error) {
	sessionRequest := &SessionRequest{
		ConsumerID:   consumerID,
		AccountantID: accountantID,
		ProposalID:   proposalID,
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	res, err := p2pChannel.Send(ctx, TopicSessionCreate, sessionRequest)
	if err != nil {
		return "", fmt.Errorf("could not send p2p session create request: %w", err)
	}

	var sessionResponse SessionResponse
	if err := json.Unmarshal(res, &sessionResponse); err != nil {
		return "", fmt.Errorf("could not unmarshal session reply: %w", err)
	}
	return sessionResponse.ID, nil
}

// Cancel cancels an in-progress Connect.
func (manager *connectionManager) Cancel() {
	if err := manager.Disconnect(); err != nil {
		log.Printf("disconnect error: %v", err)
	}
}

// Disconnect tears the connection down.
func (manager *connectionManager) Disconnect() error {
	if manager.cancel != nil {
		manager.cancel()
	}
	manager.discoLock.Lock()
	defer manager.discoLock.Unlock()
	for _, c := range manager.cleanupAfterDisconnect {
		if err := c(); err != nil {
			log.Printf("cleanup error: %v", err)
		}
	}
	manager.cleanupAfterDisconnect = nil
	manager.connected = false
	return nil
}
