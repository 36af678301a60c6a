// Recall case sd-dcrdex-wsconnect
// Source: github.com/decred/dcrdex commit faa60915201ff39ba04d7dbd4d15c1fe00e51d8a (client/comms/wsconn.go)
// Link: https://github.com/decred/dcrdex/commit/faa60915201ff39ba04d7dbd4d15c1fe00e51d8a
// Bug: wsConn.connect(ctx) dials with dialer.Dial, which runs the handshake under a fresh 10 s HandshakeTimeout budget derived from context.Background(); cancelling the caller's ctx (Stop / shutdown) cannot abort an in-progress dial, it waits for the fixed timeout.
// Fix: connect calls dialer.DialContext(ctx, ...), so the handshake budget is derived from the caller's ctx.
// Rule: sharedeadline
package comms

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

const (
	// writeWait is the time allowed to write a message to the peer.
	writeWait = time.Second * 3
	// reconnectInterval is the initial and increment between reconnect tries.
	reconnectInterval = 5 * time.Second
	// maxReconnectInterval is the maximum allowed reconnect interval.
	maxReconnectInterval = time.Minute
)

// ErrInvalidCert is the error returned when attempting to use an invalid cert
// to set up a ws connection.
var ErrInvalidCert = fmt.Errorf("invalid certificate")

// ErrCertRequired is the error returned when a ws connection fails because no
// cert was provided.
var ErrCertRequired = fmt.Errorf("certificate required")

// WsCfg is the configuration struct for initializing a WsConn.
type WsCfg struct {
	URL            string
	PingWait       time.Duration
	NetDialContext func(context.Context, string, string) (net.Conn, error)
}

type wsConn struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	log    *log.Logger
	cfg    *WsCfg
	tlsCfg *tls.Config

	wsMtx sync.Mutex
	ws    *Conn

	connectedMtx sync.RWMutex
	connected    bool

	reconnectCh chan struct{} // trigger for immediate reconnect
}

func (conn *wsConn) setConnected(connected bool) {
	conn.connectedMtx.Lock()
	conn.connected = connected
	conn.connectedMtx.Unlock()
}

// connect attempts to establish a websocket connection.
func (conn *wsConn) connect(ctx context.Context) error {
	dialer := &Dialer{
		HandshakeTimeout: 10 * time.Second,
		TLSClientConfig:  conn.tlsCfg,
	}
	if conn.cfg.NetDialContext != nil {
		dialer.NetDialContext = conn.cfg.NetDialContext
	} else {
		dialer.Proxy = http.ProxyFromEnvironment
	}
	ws, _, err := dialer.Dial(conn.cfg.URL, nil)
	if err != nil {
		var e x509.UnknownAuthorityError
		if errors.As(err, &e) {
			if conn.tlsCfg == nil {
				return ErrCertRequired
			}
			return ErrInvalidCert
		}
		return err
	}

	// Set the initial read deadline for the first ping. Subsequent read
	// deadlines are set in the ping handler.
	err = ws.SetReadDeadline(time.Now().Add(conn.cfg.PingWait))
	if err != nil {
		conn.log.Printf("set read deadline failed: %v", err)
		return err
	}

	ws.SetPingHandler(func(string) error {
		now := time.Now()

		// Set the deadline for the next ping.
		err := ws.SetReadDeadline(now.Add(conn.cfg.PingWait))
		if err != nil {
			conn.log.Printf("set read deadline failed: %v", err)
			return err
		}

		// Respond with a pong.
		err = ws.WriteControl(PongMessage, []byte{}, now.Add(writeWait))
		if err != nil {
			// read loop handles reconnect
			conn.log.Printf("pong write error: %v", err)
			return err
		}

		return nil
	})

	conn.wsMtx.Lock()
	// If keepAlive called connect, the wsConn's current websocket.Conn may need
	// to be closed depending on the error that triggered the reconnect.
	if conn.ws != nil {
		conn.close()
	}
	conn.ws = ws
	conn.wsMtx.Unlock()

	conn.setConnected(true)
	conn.wg.Add(1)
	go func() {
		defer conn.wg.Done()
		conn.read(ctx)
	}()

	return nil
}

func (conn *wsConn) close() {
	// Attempt to send a close message in case the connection is still live.
	msg := FormatCloseMessage(CloseNormalClosure, "bye")
	_ = conn.ws.WriteControl(CloseMessage, msg,
		time.Now().Add(50*time.Millisecond)) // ignore any error
	// Forcibly close the underlying connection.
	conn.ws.Close()
}

// read fetches and parses incoming messages until the connection breaks.
func (conn *wsConn) read(ctx context.Context) {
	for {
		_, _, err := conn.ws.ReadMessage()
		if err != nil {
			if ctx.Err() == nil {
				conn.setConnected(false)
				conn.reconnectCh <- struct{}{}
			}
			return
		}
	}
}

// keepAlive maintains an active websocket connection by reconnecting when
// the established connection is broken. This should be run as a goroutine.
func (conn *wsConn) keepAlive(ctx context.Context) {
	rcInt := reconnectInterval
	for {
		select {
		case <-conn.reconnectCh:
			// Prioritize context cancellation even if there are reconnect
			// requests.
			if ctx.Err() != nil {
				return
			}

			conn.log.Printf("Attempting to reconnect to %s...", conn.cfg.URL)
			err := conn.connect(ctx)
			if err != nil {
				conn.log.Printf("Reconnect failed. Scheduling reconnect to %s in %.1f seconds.",
					conn.cfg.URL, rcInt.Seconds())
				time.AfterFunc(rcInt, func() {
					conn.reconnectCh <- struct{}{}
				})
				// Increment the wait up to PingWait.
				if rcInt < maxReconnectInterval {
					rcInt += reconnectInterval
				}
				continue
			}

			conn.log.Printf("Successfully reconnected.")
			rcInt = reconnectInterval

		case <-ctx.Done():
			return
		}
	}
}

// Connect connects the client. Any error encountered during the initial
// connection will be returned. An auto-(re)connect goroutine will be started,
// even on error. To terminate it, use Stop() or cancel the context.
func (conn *wsConn) Connect(ctx context.Context) (*sync.WaitGroup, error) {
	var ctxInternal context.Context
	ctxInternal, conn.cancel = context.WithCancel(ctx)

	conn.wg.Add(1)
	go func() {
		defer conn.wg.Done()
		conn.keepAlive(ctxInternal)
	}()

	conn.wg.Add(1)
	go func() {
		defer conn.wg.Done()
		<-ctxInternal.Done()
		conn.setConnected(false)
		conn.wsMtx.Lock()
		if conn.ws != nil {
			conn.close()
		}
		conn.wsMtx.Unlock()
	}()

	err := conn.connect(ctxInternal)
	if err != nil {
		conn.log.Printf("Initial connection failed, starting reconnect loop: %v", err)
		time.AfterFunc(5*time.Second, func() {
			conn.reconnectCh <- struct{}{}
		})
	}

	return &conn.wg, err
}

// Stop can be used to close the connection and all of the goroutines started by
// Connect. Alternatively, the context passed to Connect may be canceled.
func (conn *wsConn) Stop() {
	conn.cancel()
}
