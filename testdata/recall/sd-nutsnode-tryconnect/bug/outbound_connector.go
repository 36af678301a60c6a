// Recall case sd-nutsnode-tryconnect
// Source: github.com/nuts-foundation/nuts-node commit e5992d1155a5e5443c582e1ec3e368fc6338fd34 (network/transport/grpc/outbound_connector.go)
// Link: https://github.com/nuts-foundation/nuts-node/commit/e5992d1155a5e5443c582e1ec3e368fc6338fd34
// Bug: the connect loop runs under cancelCtx (cancelled by stop()), but tryConnect starts a fresh budget with context.WithTimeout(context.Background(), c.connectionTimeout), so an in-flight blocking dial ignores the loop's cancellation and keeps running for the full connection timeout after shutdown.
// Fix: tryConnect takes the loop's ctx and derives the dial timeout from it (context.WithTimeout(ctx, c.connectionTimeout)); the loop also checks cancelCtx.Err() instead of a separate stopped flag.
// Rule: sharedeadline
package grpc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"math/rand"
	"net"
	"sync/atomic"
	"time"
)

// ClientConn is a stand-in for *grpc.ClientConn.
type ClientConn struct{ net.Conn }

// dialer blocks until the connection is established or ctx is done
// (like grpc.DialContext with grpc.WithBlock()).
type dialer func(ctx context.Context, target string, tlsConfig *tls.Config) (conn *ClientConn, err error)

// netDialer is the production dialer.
func netDialer(ctx context.Context, target string, tlsConfig *tls.Config) (*ClientConn, error) {
	if tlsConfig != nil {
		d := &tls.Dialer{Config: tlsConfig}
		c, err := d.DialContext(ctx, "tcp", target)
		if err != nil {
			return nil, err
		}
		return &ClientConn{c}, nil
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		return nil, err
	}
	return &ClientConn{c}, nil
}

// Backoff is a stand-in for the nuts-node Backoff interface.
type Backoff interface {
	Value() time.Duration
	Backoff() time.Duration
}

func RandomBackoff(min, max time.Duration) time.Duration {
	return min + time.Duration(rand.Int63n(int64(max-min)))
}

func sleepWithCancel(ctx context.Context, duration time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(duration):
	}
}

type connectorConfig struct {
	address           string
	tls               *tls.Config
	connectionTimeout time.Duration
}

// createOutboundConnector connects to a remote server in a loop, taking into account a given backoff.
func createOutboundConnector(config connectorConfig, dialer dialer, shouldConnect func() bool, connectedCallback func(conn *ClientConn) bool, backoff Backoff) *outboundConnector {
	var attempts uint32
	return &outboundConnector{
		backoff:           backoff,
		address:           config.address,
		dialer:            dialer,
		tlsConfig:         config.tls,
		shouldConnect:     shouldConnect,
		connectedCallback: connectedCallback,
		stopped:           &atomic.Value{},
		lastAttempt:       &atomic.Value{},
		attempts:          &attempts,
		connectionTimeout: config.connectionTimeout,
		connectedBackoff: func(cancelCtx context.Context) {
			sleepWithCancel(cancelCtx, 2*time.Second)
		},
	}
}

type outboundConnector struct {
	dialer
	address           string
	connectionTimeout time.Duration
	backoff           Backoff
	tlsConfig         *tls.Config
	connectedCallback func(conn *ClientConn) bool
	shouldConnect     func() bool
	connectedBackoff  func(cancelCtx context.Context)
	// cancelFunc is used to signal the async connector loop (and specifically waits/sleeps) to abort.
	cancelFunc  func()
	stopped     *atomic.Value
	attempts    *uint32
	lastAttempt *atomic.Value
}

func (c *outboundConnector) start() {
	var cancelCtx context.Context
	cancelCtx, c.cancelFunc = context.WithCancel(context.Background())
	c.stopped.Store(false)
	go func() {
		// Take into account initial backoff
		sleepWithCancel(cancelCtx, c.backoff.Value())
		for {
			if c.stopped.Load().(bool) {
				return
			}
			if !c.shouldConnect() {
				c.connectedBackoff(cancelCtx)
				continue
			}
			stream, err := c.tryConnect()
			if err == nil {
				// Invoke callback, blocks until the peer disconnects
				if !c.connectedCallback(stream) {
					err = errors.New("protocol connection failure")
				} else {
					sleepWithCancel(cancelCtx, RandomBackoff(time.Second, 5*time.Second))
				}
			}
			if err != nil {
				waitPeriod := c.backoff.Backoff()
				log.Printf("Couldn't connect to peer %s, reconnecting in %d seconds: %v", c.address, int(waitPeriod.Seconds()), err)
				sleepWithCancel(cancelCtx, waitPeriod)
			}
		}
	}()
}

func (c *outboundConnector) stop() {
	c.stopped.Store(true)
	if c.cancelFunc != nil {
		c.cancelFunc()
	}
}

func (c *outboundConnector) tryConnect() (*ClientConn, error) {
	log.Printf("Connecting to peer %s", c.address)
	atomic.AddUint32(c.attempts, 1)
	c.lastAttempt.Store(time.Now())

	dialContext, cancel := context.WithTimeout(context.Background(), c.connectionTimeout)
	defer cancel()

	grpcConn, err := c.dialer(dialContext, c.address, c.tlsConfig)
	if err != nil {
		return nil, fmt.Errorf("unable to connect: %w", err)
	}
	log.Printf("Connected to peer %s (outbound)", c.address)
	return grpcConn, nil
}
